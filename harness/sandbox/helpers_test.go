package sandbox

import (
	"crypto/tls"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// harness is a running sandbox and a client that trusts its CA, follows
// no redirects and gives up after a few seconds.
type harness struct {
	t *testing.T
	s *Server
	c *http.Client
}

func newHarness(t *testing.T, opts Options) *harness {
	t.Helper()
	s, err := Start(opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: s.CertPool(), MinVersion: tls.VersionTLS12}}
	t.Cleanup(func() {
		tr.CloseIdleConnections()
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return &harness{t: t, s: s, c: &http.Client{
		Transport:     tr,
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// withFaults starts a harness with the default options and the faults.
func withFaults(t *testing.T, faults ...string) *harness {
	t.Helper()
	return newHarness(t, Options{Faults: faults})
}

// call describes one request. Zero values mean: POST, body {}, Content-Type
// application/json, a valid Token header for tenant 1, over HTTPS.
type call struct {
	method string
	path   string
	body   string
	noBody bool
	ct     string // "-" sends none
	auth   string // "-" sends none
	query  string
	plain  bool
}

type result struct {
	status int
	header http.Header
	body   []byte
	err    error
}

func validToken(key string) string { return "Token " + DefaultApp + "@" + key }

func (h *harness) do(c call) result {
	h.t.Helper()
	if c.method == "" {
		c.method = http.MethodPost
	}
	if c.body == "" && !c.noBody {
		c.body = "{}"
	}
	base := h.s.HTTPSURL()
	if c.plain {
		base = h.s.HTTPURL()
	}
	u := base + c.path
	if c.query != "" {
		u += "?" + c.query
	}
	var body io.Reader
	if !c.noBody {
		body = strings.NewReader(c.body)
	}
	req, err := http.NewRequest(c.method, u, body)
	if err != nil {
		h.t.Fatalf("build request: %v", err)
	}
	switch c.ct {
	case "":
		req.Header.Set("Content-Type", "application/json")
	case "-":
	default:
		req.Header.Set("Content-Type", c.ct)
	}
	switch c.auth {
	case "":
		req.Header.Set("Authorization", validToken(DefaultKey))
	case "-":
	default:
		req.Header.Set("Authorization", c.auth)
	}
	resp, err := h.c.Do(req)
	if err != nil {
		return result{err: err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return result{status: resp.StatusCode, header: resp.Header, body: data, err: err}
}

// post sends body to path with valid credentials and returns the result.
func (h *harness) post(path, body string) result {
	h.t.Helper()
	return h.do(call{path: path, body: body})
}

// list posts and decodes a 200 JSON array of objects.
func (h *harness) list(path, body string) []map[string]any {
	h.t.Helper()
	r := h.post(path, body)
	if r.err != nil || r.status != http.StatusOK {
		h.t.Fatalf("POST %s %s: want 200, got %d %s (err %v)", path, body, r.status, r.body, r.err)
	}
	var out []map[string]any
	if err := json.Unmarshal(r.body, &out); err != nil {
		h.t.Fatalf("POST %s: answer is not a JSON array of objects: %v: %s", path, err, r.body)
	}
	return out
}

// errorOf decodes a JSON error body.
func errorOf(t *testing.T, r result) errorBody {
	t.Helper()
	var e errorBody
	if err := json.Unmarshal(r.body, &e); err != nil {
		t.Fatalf("error body is not JSON: %v: %q", err, r.body)
	}
	return e
}

// expectStatus fails unless r has status want.
func expectStatus(t *testing.T, r result, want int) {
	t.Helper()
	if r.err != nil {
		t.Fatalf("want %d, got transport error %v", want, r.err)
	}
	if r.status != want {
		t.Fatalf("want %d, got %d: %s", want, r.status, r.body)
	}
}

// expectField fails unless r is a 400 whose JSON body names field.
func expectField(t *testing.T, r result, field string) {
	t.Helper()
	expectStatus(t, r, http.StatusBadRequest)
	if e := errorOf(t, r); e.Field != field || e.Error != "Bad Request" || e.Message == "" {
		t.Fatalf("want a Bad Request naming field %q, got %+v", field, e)
	}
}

func ids(items []map[string]any) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i], _ = it["_id"].(string)
	}
	return out
}
