package cassette

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/winston-conformance/winston-conformance/harness/redact"
	"gopkg.in/dnaeon/go-vcr.v3/cassette"
)

// Shape is a request as the replay matcher sees it: every part redacted,
// the host and port left out, the body in canonical form. Two requests
// with equal shapes get the same recorded answer.
type Shape struct {
	// Method is the HTTP method ("POST"); an empty method counts as GET.
	Method string `json:"method"`
	// Scheme is "http" or "https", lower case.
	Scheme string `json:"scheme"`
	// Path is the escaped, redacted path ("/api/v2/bills").
	Path string `json:"path"`
	// Query is the redacted query with its parameters sorted by name,
	// URL-encoded; empty when the request has none.
	Query string `json:"query,omitempty"`
	// Auth is the redacted Authorization header ("Token
	// api_test@<WINSTON_API_KEY>"), or "none" when the request has none.
	Auth string `json:"auth"`
	// BodyHash is "sha256:" and the first 16 bytes (hex) of the hash of
	// the canonical, redacted body, or "empty".
	BodyHash string `json:"bodyHash"`
	// Body is the canonical, redacted body itself, kept to explain a
	// miss; it is not part of the key.
	Body string `json:"-"`
}

// authNone is the Auth of a request without an Authorization header. It
// cannot collide with a real header value: those are shown with "header:"
// in the key.
const authNone = "none"

// Key is the index key of the shape: method, scheme, path, query, body
// hash and auth, in an order that sorts a cassette by endpoint first.
func (s Shape) Key() string {
	var b strings.Builder
	b.Grow(len(s.Method) + len(s.Scheme) + len(s.Path) + len(s.Query) + len(s.BodyHash) + len(s.Auth) + 24)
	b.WriteString(s.Method)
	b.WriteByte(' ')
	b.WriteString(s.Scheme)
	b.WriteString("://")
	b.WriteString(s.Path)
	b.WriteByte('?')
	b.WriteString(s.Query)
	b.WriteString(" body=")
	b.WriteString(s.BodyHash)
	b.WriteString(" auth=")
	b.WriteString(s.Auth)
	return b.String()
}

// MatchKey returns the replay index key of a live request whose body has
// already been read into body (the request's own Body is not touched).
// The Authorization header, query, path and body pass through red first,
// so a request made with the real key and one made with the replay
// stand-in key give the same key as the redacted recording. A nil red
// means redact.Global().
func MatchKey(r *http.Request, body []byte, red *redact.Redactor) string {
	return requestShape(r, body, red).Key()
}

// requestShape computes the Shape of a live request.
func requestShape(r *http.Request, body []byte, red *redact.Redactor) Shape {
	if red == nil {
		red = redact.Global()
	}
	u := r.URL
	if u == nil {
		u = &url.URL{}
	}
	return buildShape(r.Method, u, r.Header, body, red)
}

// storedShape computes the Shape of a recorded request. A URL that does
// not parse was refused when the cassette was loaded, so the error
// cannot happen for an indexed cassette; it is reported for safety.
func storedShape(rq *cassette.Request, red *redact.Redactor) (Shape, error) {
	u, err := url.Parse(rq.URL)
	if err != nil {
		return Shape{}, err
	}
	return buildShape(rq.Method, u, rq.Headers, []byte(rq.Body), red), nil
}

func buildShape(method string, u *url.URL, h http.Header, body []byte, red *redact.Redactor) Shape {
	if method == "" {
		method = http.MethodGet
	}
	canon := CanonicalBody(red.Bytes(body))
	s := Shape{
		Method: strings.ToUpper(method),
		Scheme: strings.ToLower(u.Scheme),
		Path:   redactedPath(u, red),
		Query:  canonicalQuery(u.RawQuery, red),
		Auth:   authShape(h, red),
		Body:   string(canon),
	}
	if len(canon) == 0 {
		s.BodyHash = "empty"
	} else {
		sum := sha256.Sum256(canon)
		s.BodyHash = "sha256:" + hex.EncodeToString(sum[:16])
	}
	return s
}

// redactedPath redacts the decoded path and escapes it again, so a key
// that was escaped in the live request and one stored as a placeholder
// give the same path.
func redactedPath(u *url.URL, red *redact.Redactor) string {
	p := u.Path
	if p == "" {
		p = "/"
	}
	return (&url.URL{Path: red.String(p)}).EscapedPath()
}

// canonicalQuery redacts every decoded name and value and encodes the
// result with names sorted: parameter order carries no meaning for the
// API, and a key is found whether or not it was percent-encoded. A query
// that does not parse is compared as redacted text.
func canonicalQuery(raw string, red *redact.Redactor) string {
	if raw == "" {
		return ""
	}
	vals, err := url.ParseQuery(raw)
	if err != nil {
		return "raw:" + red.String(raw)
	}
	out := make(url.Values, len(vals))
	for k, vs := range vals {
		rk := red.String(k)
		for _, v := range vs {
			out[rk] = append(out[rk], red.String(v))
		}
	}
	return out.Encode()
}

// authShape is the redacted Authorization header. Header names are
// compared without regard to case because a hand-edited cassette may
// spell them differently from Go's canonical form.
func authShape(h http.Header, red *redact.Redactor) string {
	var vals []string
	for k, vs := range h {
		if strings.EqualFold(k, "Authorization") {
			for _, v := range vs {
				if cred, ok := basicCredentials(v); ok {
					v = "Basic base64(" + red.String(cred) + ")"
				}
				vals = append(vals, red.String(v))
			}
		}
	}
	if len(vals) == 0 {
		return authNone
	}
	return "header:" + strings.Join(vals, ", ")
}

// basicCredentials decodes the user:password of a Basic credential. A
// Basic header is compared decoded because the redacted base64 of a key
// keeps characters that depend on the key's length: a cassette recorded
// with one key would not match a replay with a stand-in of another length.
func basicCredentials(v string) (string, bool) {
	scheme, rest, ok := strings.Cut(strings.TrimSpace(v), " ")
	if !ok || !strings.EqualFold(scheme, "Basic") {
		return "", false
	}
	rest = strings.TrimSpace(rest)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(rest); err == nil && utf8.Valid(b) {
			return string(b), true
		}
	}
	return "", false
}

// redactAuthValue redacts one Authorization value for storage. A Basic
// credential that holds a key is stored as the base64 of its redacted
// form ("api_test:<WINSTON_API_KEY>"), so it still decodes and matches
// the decoded form of a replayed request.
func redactAuthValue(v string, red *redact.Redactor) string {
	if cred, ok := basicCredentials(v); ok {
		if rc := red.String(cred); rc != cred {
			return "Basic " + base64.StdEncoding.EncodeToString([]byte(rc))
		}
	}
	return red.String(v)
}

// CanonicalBody returns b as compact JSON with object keys sorted, so
// that two bodies that differ only in key order or whitespace match.
// Numbers keep their literal text. A body that is not a single JSON value
// in valid UTF-8 is returned unchanged and is compared byte for byte.
func CanonicalBody(b []byte) []byte {
	if len(b) == 0 || !utf8.Valid(b) {
		return b
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return b
	}
	// Trailing data after the value means the body is not one JSON
	// document; it is compared as text.
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return b
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return b
	}
	return bytes.TrimSuffix(out.Bytes(), []byte("\n"))
}
