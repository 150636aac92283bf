package cassette

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/winston-conformance/winston-conformance/harness/redact"
)

// Keys used by the tests. The planted keys play the real keys of a record
// run; the stand-ins are what a replay run is configured with.
const (
	plantedKey   = "PLANTED-cassette-key-123456"
	plantedKey2  = "PLANTED-cassette-second-654321"
	standInKey   = "replay-mode-stand-in-key"
	standInKey2  = "replay-mode-stand-in-key-2"
	wrongKey     = "wrong-fixture-key-000000"
	testID       = "AUTH-001"
	testTimeout  = 10 * time.Second
	fixedRecTime = "2026-11-21T12:00:00Z"
)

// keyRedactor registers key and key2 as the API key placeholders, as the
// configuration does.
func keyRedactor(key, key2 string) *redact.Redactor {
	r := redact.New()
	r.Add(key, "<WINSTON_API_KEY>")
	r.Add(key2, "<WINSTON_API_KEY_2>")
	return r
}

// stub is a small stand-in for the Winston sandbox: it answers by the
// shape of the Authorization header, echoes the body (so a key in the
// request comes back in the response) and counts repeated requests.
type stub struct {
	key, key2 string
	calls     atomic.Int64
	counter   atomic.Int64
	// variant changes the answers, to prove a later recording differs.
	variant string
}

func (s *stub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.calls.Add(1)
	body, _ := io.ReadAll(r.Body)
	auth := r.Header.Get("Authorization")
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Seen-Auth", auth)
	reply := map[string]any{"variant": s.variant}
	code := http.StatusOK
	switch {
	case r.URL.Path == "/api/v2/counter":
		reply["n"] = s.counter.Add(1)
	case auth == "" && r.URL.Query().Get("api_key") != "":
		code, reply["error"] = http.StatusUnauthorized, "v1 query keys are not accepted: "+r.URL.Query().Get("api_key")
	case auth == "":
		code, reply["error"] = http.StatusUnauthorized, "missing Authorization"
	case auth == "Token api_test@"+s.key:
		reply["tenant"] = "one"
	case auth == "Token api_test@"+s.key2:
		reply["tenant"] = "two"
	default:
		code, reply["error"] = http.StatusUnauthorized, "Unauthorized: invalid token "+auth
	}
	reply["echo"] = string(body)
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(reply)
}

// newStub starts a TLS stub on a loopback address.
func newStub(t *testing.T, key, key2 string) (*stub, *httptest.Server) {
	t.Helper()
	st := &stub{key: key, key2: key2}
	srv := httptest.NewTLSServer(st)
	t.Cleanup(srv.Close)
	return st, srv
}

// recordLib opens a record Library on dir against srv.
func recordLib(t *testing.T, dir string, srv *httptest.Server, red *redact.Redactor) *Library {
	t.Helper()
	lib, err := Open(Options{
		Dir: dir, Mode: ModeRecord, Redactor: red, RealTransport: srv.Client().Transport,
		Meta: Meta{Source: SourceSandbox, RecordedAt: fixedRecTime, ReferenceNow: fixedRecTime, Target: srv.URL, SuiteVersion: "test"},
	})
	if err != nil {
		t.Fatalf("Open record: %v", err)
	}
	return lib
}

// replayLib opens a replay Library on dir whose RealTransport fails the
// test if anything tries to use it.
func replayLib(t *testing.T, dir string, red *redact.Redactor) *Library {
	t.Helper()
	lib, err := Open(Options{Dir: dir, Mode: ModeReplay, Redactor: red, RealTransport: mustNotDial{t}})
	if err != nil {
		t.Fatalf("Open replay: %v", err)
	}
	return lib
}

type mustNotDial struct{ t *testing.T }

func (m mustNotDial) RoundTrip(r *http.Request) (*http.Response, error) {
	m.t.Errorf("replay used the real transport for %s %s", r.Method, r.URL)
	return nil, fmt.Errorf("must not dial")
}

// call is one request of a test spec.
type call struct {
	method, url, auth, body string
}

// do sends c through rt and returns status and body.
func do(t *testing.T, rt http.RoundTripper, c call) (int, string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	method := c.method
	if method == "" {
		method = http.MethodPost
	}
	req, err := http.NewRequestWithContext(ctx, method, c.url, strings.NewReader(c.body))
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if c.auth != "" {
		req.Header.Set("Authorization", c.auth)
	}
	resp, err := (&http.Client{Transport: rt}).Do(req)
	if err != nil {
		return 0, "", err
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return resp.StatusCode, string(b), nil
}

// mustDo is do that fails the test on a transport error.
func mustDo(t *testing.T, rt http.RoundTripper, c call) (int, string) {
	t.Helper()
	code, body, err := do(t, rt, c)
	if err != nil {
		t.Fatalf("%s %s: %v", c.method, c.url, err)
	}
	return code, body
}

// recordSpec records calls under id and finishes with passed.
func recordSpec(t *testing.T, lib *Library, id string, passed bool, calls []call) {
	t.Helper()
	s, err := lib.Session(id)
	if err != nil {
		t.Fatalf("Session(%s): %v", id, err)
	}
	for _, c := range calls {
		mustDo(t, s.RoundTripper(), c)
	}
	if err := s.Finish(passed); err != nil {
		t.Fatalf("Finish(%v): %v", passed, err)
	}
}

// dirEntries lists the names in dir, to catch temporary files left behind.
func dirEntries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// bytesEqual reports a byte-level difference with a short context.
func bytesEqual(t *testing.T, what string, got, want []byte) {
	t.Helper()
	if !bytes.Equal(got, want) {
		t.Errorf("%s changed:\n--- want\n%s\n--- got\n%s", what, want, got)
	}
}
