package cassette

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/winston-conformance/winston-conformance/harness/evidence"
	"github.com/winston-conformance/winston-conformance/harness/redact"
	"gopkg.in/dnaeon/go-vcr.v3/cassette"
	"gopkg.in/dnaeon/go-vcr.v3/recorder"
)

// recording is the record half of a Session: go-vcr's recorder writing
// to a temporary cassette, committed over the real one by finish.
type recording struct {
	s   *Session
	red *redact.Redactor
	rec *recorder.Recorder
	// vcrName is the name given to go-vcr, which appends ".yaml":
	// <Dir>/.<ID>.<pid>.tmp
	vcrName string
	// commitTmp is where the final file is written before the rename.
	commitTmp string
}

// recordSession prepares the recorder of reqID. Nothing is written until
// finish: an interrupted process leaves no file behind.
func (l *Library) recordSession(reqID string) (*Session, error) {
	s := &Session{lib: l, id: reqID, file: l.Path(reqID), meta: sessionMeta(l.meta, reqID, l.now())}
	// The pid keeps record runs of different processes (Ginkgo's
	// parallel workers) off each other's temporary files.
	base := filepath.Join(l.dir, "."+reqID+"."+strconv.Itoa(os.Getpid()))
	r := &recording{s: s, red: l.red, vcrName: base + ".tmp", commitTmp: base + ".commit.tmp"}
	rec, err := recorder.NewWithOptions(&recorder.Options{
		CassetteName:  r.vcrName,
		Mode:          recorder.ModeRecordOnly,
		RealTransport: wholeBody{next: l.real},
		// go-vcr sleeps for the measured duration again after a
		// recorded request unless told not to; a recording must not
		// take twice as long as the requests.
		SkipRequestLatency: true,
	})
	if err != nil {
		return nil, fmt.Errorf("cassette %s: start recorder: %w", s.file, err)
	}
	rec.AddHook(func(i *cassette.Interaction) error {
		redactInteraction(i, l.red)
		return nil
	}, recorder.AfterCaptureHook)
	r.rec = rec
	s.rec = r
	return s, nil
}

// RoundTrip sends req through the recorder. The recorder is given a copy
// of req with its body buffered, because go-vcr replaces the body of the
// request it is given; the caller's request stays untouched. The
// response is built from the redacted interaction, so a spec sees in
// record mode what it will see in replay.
func (r *recording) RoundTrip(req *http.Request) (*http.Response, error) {
	if r.s.isFinished() {
		closeBody(req)
		return nil, r.s.errFinished()
	}
	out := req.Clone(req.Context())
	if req.Body != nil && req.Body != http.NoBody {
		body, err := io.ReadAll(req.Body)
		closeBody(req)
		if err != nil {
			return nil, fmt.Errorf("cassette %s: read request body: %w", r.s.file, err)
		}
		out.Body = io.NopCloser(bytes.NewReader(body))
		out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		out.ContentLength = int64(len(body))
	}
	resp, err := r.rec.RoundTrip(out)
	if err != nil {
		return nil, r.red.Error(fmt.Errorf("cassette %s: record: %w", r.s.file, err))
	}
	resp.Request = req
	return resp, nil
}

// wholeBody reads a request's body to its end before the network sees the
// request. go-vcr records the body by teeing what the transport reads,
// and a transport reads nothing more once the server has answered: a
// request refused before its body was read (a 401 on the credential) was
// recorded with an empty or partial body, which then missed in replay.
// Read here, the whole body is in go-vcr's copy before anything is sent,
// and the transport gets it again from memory, rewindable for a resend.
type wholeBody struct{ next http.RoundTripper }

func (w wholeBody) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return w.next.RoundTrip(req)
	}
	body, err := io.ReadAll(req.Body)
	closeBody(req)
	if err != nil {
		return nil, fmt.Errorf("read request body: %w", err)
	}
	out := req.Clone(req.Context())
	out.Body = io.NopCloser(bytes.NewReader(body))
	out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	out.ContentLength = int64(len(body))
	return w.next.RoundTrip(out)
}

// finish commits (passed) or discards the recording. The cassette file
// is only ever replaced by a rename of a complete, synced file.
func (r *recording) finish(passed bool) error {
	vcrFile := r.vcrName + ".yaml"
	if !passed {
		return removeIfExists(vcrFile)
	}
	err := r.commit(vcrFile)
	if rmErr := removeIfExists(vcrFile); err == nil {
		err = rmErr
	}
	if err != nil {
		return fmt.Errorf("cassette %s: recording not saved, the previous cassette is unchanged: %w", r.s.file, err)
	}
	return nil
}

func (r *recording) commit(vcrFile string) error {
	if err := r.rec.Stop(); err != nil {
		return fmt.Errorf("write temporary cassette %s: %w", vcrFile, err)
	}
	// Loading with go-vcr's own loader proves the recorder's output is a
	// cassette go-vcr understands before anything is replaced.
	c, err := cassette.Load(r.vcrName)
	if err != nil {
		return fmt.Errorf("load temporary cassette %s: %w", vcrFile, err)
	}
	its, err := normalize(c.Interactions, r.red)
	if err != nil {
		return err
	}
	data, err := encodeFile(provenance(r.s.meta, its), its, r.red)
	if err != nil {
		return err
	}
	return writeAtomic(r.commitTmp, r.s.file, data)
}

// redactInteraction replaces every registered secret in what go-vcr
// captured. Header maps are replaced, not edited, because go-vcr shares
// them with the live request and response.
func redactInteraction(i *cassette.Interaction, red *redact.Redactor) {
	rq := &i.Request
	rq.URL = redactURL(rq.URL, red)
	rq.RequestURI = redactURL(rq.RequestURI, red)
	rq.Host = red.String(rq.Host)
	rq.RemoteAddr = red.String(rq.RemoteAddr)
	rq.Headers = redactHeader(rq.Headers, red)
	rq.Trailer = redactHeader(rq.Trailer, red)
	rq.Form = redactValues(rq.Form, red)
	if body := red.String(rq.Body); body != rq.Body {
		rq.Body = body
		rq.ContentLength = fixLength(rq.Headers, body)
	}
	rs := &i.Response
	rs.Status = red.String(rs.Status)
	rs.Headers = redactHeader(rs.Headers, red)
	rs.Trailer = redactHeader(rs.Trailer, red)
	if body := red.String(rs.Body); body != rs.Body {
		rs.Body = body
		rs.ContentLength = fixLength(rs.Headers, body)
	}
}

// fixLength makes a Content-Length header agree with a body that
// redaction shortened or lengthened, so a spec never sees a length that
// contradicts the body it reads; it returns the new length.
func fixLength(h http.Header, body string) int64 {
	n := len(body)
	for k := range h {
		if strings.EqualFold(k, "Content-Length") {
			h[k] = []string{strconv.Itoa(n)}
		}
	}
	return int64(n)
}

// redactURL redacts a URL as text and then, where a secret was
// percent-encoded (a key with '+' or '/' in a v1 query), part by part.
func redactURL(raw string, red *redact.Redactor) string {
	s := red.String(raw)
	u, err := url.Parse(s)
	if err != nil {
		return s
	}
	changed := false
	if p := red.String(u.Path); p != u.Path {
		u.Path, u.RawPath, changed = p, "", true
	}
	if u.User != nil {
		name := u.User.Username()
		pw, hasPw := u.User.Password()
		if rn, rp := red.String(name), red.String(pw); rn != name || rp != pw {
			u.User, changed = url.User(rn), true
			if hasPw {
				u.User = url.UserPassword(rn, rp)
			}
		}
	}
	if q, err := url.ParseQuery(u.RawQuery); err == nil {
		if rq := redactValues(q, red); !equalValues(q, rq) {
			u.RawQuery, changed = rq.Encode(), true
		}
	}
	if f := red.String(u.Fragment); f != u.Fragment {
		u.Fragment, u.RawFragment, changed = f, "", true
	}
	if !changed {
		return s
	}
	return u.String()
}

func redactHeader(h http.Header, red *redact.Redactor) http.Header {
	if h == nil {
		return nil
	}
	out := make(http.Header, len(h))
	for k, vs := range h {
		rk := red.String(k)
		auth := strings.EqualFold(k, "Authorization")
		for _, v := range vs {
			if auth {
				out[rk] = append(out[rk], redactAuthValue(v, red))
			} else {
				out[rk] = append(out[rk], red.String(v))
			}
		}
	}
	return out
}

func redactValues(v url.Values, red *redact.Redactor) url.Values {
	if v == nil {
		return nil
	}
	return url.Values(redactHeader(http.Header(v), red))
}

func equalValues(a, b url.Values) bool {
	if len(a) != len(b) {
		return false
	}
	for k, av := range a {
		bv, ok := b[k]
		if !ok || len(av) != len(bv) {
			return false
		}
		for i := range av {
			if av[i] != bv[i] {
				return false
			}
		}
	}
	return true
}

// closeBody closes a request body as a RoundTripper must, even when it
// does not send the request.
func closeBody(req *http.Request) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
}

// provenance marks a recording as made against the sandbox when any answer
// carries the sandbox's header, whatever the template said: a sandbox
// recording must never pass for evidence about the real API.
func provenance(m Meta, its []*cassette.Interaction) Meta {
	for _, i := range its {
		if http.Header(i.Response.Headers).Get(evidence.SandboxHeader) != "" {
			m.Source, m.Note = SourceSandbox, NoteSandbox
			return m
		}
	}
	return m
}
