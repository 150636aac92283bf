package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/winston-conformance/winston-conformance/harness/evidence"
	"github.com/winston-conformance/winston-conformance/harness/redact"
)

// ErrBodyTooLarge is in Response.Err when the answer was longer than
// WINSTON_MAX_BODY: the body holds the first MaxBody bytes and Truncated is
// set. It is a contract failure, not an unavailable target.
var ErrBodyTooLarge = errors.New("response body too large")

// Response is what a request got. Status, Header and Body are as the target
// sent them (Body cut at WINSTON_MAX_BODY); Err and Exchange are redacted.
type Response struct {
	// Status is the HTTP status code, 0 when no answer arrived.
	Status int
	// Header is the answer's header (never nil).
	Header http.Header
	// Body is the answer's body, at most WINSTON_MAX_BODY bytes.
	Body []byte
	// Truncated is true when the body was longer than WINSTON_MAX_BODY.
	Truncated bool
	// Err is why there is no (complete) answer: a transport error, a
	// refused request (ErrCredentialsOverHTTP), or ErrBodyTooLarge.
	Err error
	// Latency is the time from sending to the end of the body.
	Latency time.Duration
	// Label is the WithLabel value, if any.
	Label string
	// Exchange is the redacted record of this request, as the report
	// shows it.
	Exchange evidence.Exchange
	// PathFound is true when an earlier POST of this run to the same
	// origin and path got an answer that shows the path to be a route (a
	// 2xx, or a refusal of the request itself such as 400 or 415; live
	// runs only: a replay knows no run but its own): a 404 there is no
	// missing route.
	PathFound bool
	// again sends the same request once more (nil for one that may change
	// data, which is never sent twice).
	again func(context.Context, ...Option) *Response
}

// Again sends the same request once more, with the same body, credential
// and options (and opts after them), and returns what it got; nil for a
// request that may change data, which is never sent twice.
func (r *Response) Again(ctx context.Context, opts ...Option) *Response {
	if r == nil || r.again == nil {
		return nil
	}
	return r.again(ctx, opts...)
}

// Unavailable reports whether the exchange tells nothing about the contract:
// a dial failure, reset or timeout, or a 502, 503 or 504 answer.
func (r *Response) Unavailable() bool { return r.Exchange.Unavailable }

const jsonSpace = " \t\r\n"

// JSON decodes the body, with numbers kept as json.Number. An error names
// the byte offset where the body stops being JSON.
func (r *Response) JSON() (any, error) {
	if r.Err != nil {
		return nil, fmt.Errorf("no JSON body to decode: %w", r.Err)
	}
	if len(bytes.Trim(r.Body, jsonSpace)) == 0 {
		return nil, fmt.Errorf("the body is empty, not JSON (status %d)", r.Status)
	}
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return nil, fmt.Errorf("the body is not valid JSON at byte offset %d of %d (near %s): %s",
				se.Offset, len(r.Body), near(r.Body, se.Offset), se.Error())
		case errors.Is(err, io.ErrUnexpectedEOF):
			return nil, fmt.Errorf("the body ends in the middle of a JSON value at byte offset %d", len(r.Body))
		case errors.As(err, &te):
			return nil, fmt.Errorf("the body is not a JSON value at byte offset %d: %w", te.Offset, err)
		default:
			return nil, fmt.Errorf("decode the body as JSON: %w", err)
		}
	}
	// JSON's whitespace is space, tab, CR and LF only: a vertical tab
	// after the value is data, not padding.
	if off := dec.InputOffset(); len(bytes.Trim(r.Body[off:], jsonSpace)) > 0 {
		return nil, fmt.Errorf("the body has data after its JSON value, from byte offset %d (near %s)", off, near(r.Body, off))
	}
	return v, nil
}

// near quotes a few redacted bytes around off, for error messages; none
// when the body holds a key, as a window may cut through one.
func near(body []byte, off int64) string {
	if redact.Global().Contains(body) {
		return "(not quoted: the body holds a credential)"
	}
	lo := max(int(off)-16, 0)
	hi := min(int(off)+16, len(body))
	lo = min(lo, hi)
	return fmt.Sprintf("%q", redactString(strings.ToValidUTF8(string(body[lo:hi]), "\uFFFD")))
}

// describeBodyLen is how much of the body Describe quotes.
const describeBodyLen = 512

// Describe is a one-paragraph, redacted account of the exchange for failure
// messages: method, URL, credential, status, content type, retries and a
// body excerpt (or the error).
func (r *Response) Describe() string {
	e := r.Exchange
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", orDash(e.Method), orDash(e.URL))
	if r.Label != "" {
		fmt.Fprintf(&b, " [%s]", redactString(r.Label))
	}
	fmt.Fprintf(&b, " (credential: %s)", orDash(e.AuthShape))
	if e.Status != 0 {
		fmt.Fprintf(&b, " -> %d %s", e.Status, http.StatusText(e.Status))
		if ct := e.ResponseHeaders["Content-Type"]; ct != "" {
			fmt.Fprintf(&b, ", Content-Type %s", ct)
		} else {
			b.WriteString(", no Content-Type")
		}
		fmt.Fprintf(&b, ", %d bytes", e.ResponseBytes)
	} else {
		b.WriteString(" -> no answer")
	}
	if e.Retries > 0 {
		fmt.Fprintf(&b, ", after %d retries", e.Retries)
	}
	if e.Unavailable {
		b.WriteString(" (target unavailable)")
	}
	if e.Replayed {
		fmt.Fprintf(&b, " (replayed from %s)", e.Cassette)
	}
	if e.Error != "" {
		fmt.Fprintf(&b, "; error: %s", e.Error)
	}
	if body := evidence.Excerpt([]byte(e.ResponseBody), describeBodyLen); body != "" {
		if len(body) < len(e.ResponseBody) || e.ResponseBytes > len(e.ResponseBody) {
			body += " ..."
		}
		fmt.Fprintf(&b, "; body: %s", body)
	}
	return b.String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// readBody reads at most limit bytes of the answer and closes it. A longer
// body is cut, flagged and not read further: a target that streams a
// gigabyte costs limit bytes and the connection.
func readBody(res *http.Response, limit int64) ([]byte, bool, error) {
	defer func() { _ = res.Body.Close() }()
	if limit <= 0 {
		limit = 16 << 20
	}
	// An announced length (up to the limit) sizes the buffer once instead
	// of growing it from 512 bytes; a wrong one costs no more than the
	// growth would. ReadFrom wants MinRead bytes free for the read that
	// finds the end.
	buf := bytes.NewBuffer(make([]byte, 0, min(max(res.ContentLength, 0), limit+1)+bytes.MinRead))
	_, err := buf.ReadFrom(io.LimitReader(res.Body, limit+1))
	data := buf.Bytes()
	if int64(len(data)) > limit {
		return data[:limit], true, fmt.Errorf("%w: response body larger than %d bytes (cut there; raise WINSTON_MAX_BODY to read more)", ErrBodyTooLarge, limit)
	}
	return data, false, err
}
