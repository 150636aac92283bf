package sandbox

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/winston-conformance/winston-conformance/harness/catalogue"
)

func TestStartWithZeroOptionsServesOnLoopback(t *testing.T) {
	h := newHarness(t, Options{})
	for _, u := range []string{h.s.HTTPSURL(), h.s.HTTPURL()} {
		if !strings.Contains(u, "://127.0.0.1:") || strings.HasSuffix(u, ":0") {
			t.Errorf("origin %q: want a loopback origin with a real port", u)
		}
	}
	if h.s.CAFile() != "" {
		t.Errorf("CAFile = %q, want none when CAOut is empty", h.s.CAFile())
	}
	if !h.s.Now().Equal(DefaultNow) {
		t.Errorf("Now = %v, want %v", h.s.Now(), DefaultNow)
	}
	expectStatus(t, h.post("/api/v2/bills", `{"sort":{"createdAt":1},"limit":5}`), http.StatusOK)
}

func TestOptionsAreValidatedAllAtOnce(t *testing.T) {
	_, err := Start(Options{App: "bad app", Key: "short", Key2: "short", AuthScheme: "basic",
		NoTableRule: "maybe", RateLimit: -1, ThrottleAfter: -1, Latency: -time.Second, Faults: []string{"no-such-fault"}})
	if err == nil {
		t.Fatal("Start accepted bad options")
	}
	for _, want := range []string{"app name", "key is shorter", "key2 is shorter", "equal", "auth scheme", "noTable rule",
		"rate limit", "throttle-after", "latency", `unknown fault "no-such-fault"`, "reject-valid-token"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "short\"") {
		t.Errorf("error quotes a key: %v", err)
	}
}

func TestCAFileIsWrittenAndTrusted(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ca.pem")
	h := newHarness(t, Options{CAOut: path})
	if h.s.CAFile() != path {
		t.Errorf("CAFile = %q, want %q", h.s.CAFile(), path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("CA file: %v", err)
	}
	if !bytes.Equal(data, h.s.CAPEM()) {
		t.Error("CA file differs from CAPEM()")
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "CERTIFICATE" {
		t.Fatalf("CA file holds no PEM certificate: %q", data)
	}
	ca, err := x509.ParseCertificate(block.Bytes)
	if err != nil || !ca.IsCA {
		t.Fatalf("CA file: not a CA certificate (%v)", err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(data)
	h.c.Transport.(*http.Transport).TLSClientConfig.RootCAs = pool
	expectStatus(t, h.post("/api/v2/list/categories", "{}"), http.StatusOK)
}

func TestUnwritableCAPathFailsBeforeListening(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, err = Start(Options{CAOut: filepath.Join(t.TempDir(), "missing", "ca.pem"), HTTPSAddr: addr})
	if err == nil || !strings.Contains(err.Error(), "--ca-out") {
		t.Fatalf("want an error naming --ca-out, got %v", err)
	}
	// Nothing may have been bound: the address is free again at once.
	ln, err = net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("the HTTPS address was left bound: %v", err)
	}
	ln.Close()
}

func TestAddressInUseFailsAndReleasesTheOtherListener(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	free, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	freeAddr := free.Addr().String()
	free.Close()

	_, err = Start(Options{HTTPSAddr: freeAddr, HTTPAddr: busy.Addr().String()})
	if err == nil || !strings.Contains(err.Error(), "--http") || !strings.Contains(err.Error(), "port 0") {
		t.Fatalf("want an address-in-use error naming --http and port 0, got %v", err)
	}
	ln, err := net.Listen("tcp", freeAddr)
	if err != nil {
		t.Fatalf("the HTTPS listener was not released: %v", err)
	}
	ln.Close()
	if _, err := Start(Options{HTTPSAddr: busy.Addr().String()}); err == nil || !strings.Contains(err.Error(), "--https") {
		t.Fatalf("want an error naming --https, got %v", err)
	}
}

// A second sandbox started on the ports of a running one (same --ca-out,
// by default /tmp/winston-sandbox-ca.pem) fails with "address in use": it
// must leave the running one's CA file alone, or every run against the
// first sandbox fails with "unknown authority".
func TestAddressInUseLeavesTheRunningSandboxsCAFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ca.pem")
	first := newHarness(t, Options{CAOut: path})
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	httpsAddr := strings.TrimPrefix(first.s.HTTPSURL(), "https://")
	httpAddr := strings.TrimPrefix(first.s.HTTPURL(), "http://")
	for name, opts := range map[string]Options{
		"both ports":     {CAOut: path, HTTPSAddr: httpsAddr, HTTPAddr: httpAddr},
		"the HTTP port":  {CAOut: path, HTTPAddr: httpAddr},
		"the HTTPS port": {CAOut: path, HTTPSAddr: httpsAddr},
	} {
		second, err := Start(opts)
		if err == nil {
			_ = second.Close()
			t.Fatalf("%s: a second sandbox started on the first one's ports", name)
		}
		after, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(before, after) {
			t.Fatalf("%s: the failed second sandbox overwrote the running sandbox's CA file %s", name, path)
		}
	}
	expectStatus(t, first.post("/api/v2/list/categories", "{}"), http.StatusOK)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(before)
	first.c.Transport.(*http.Transport).TLSClientConfig.RootCAs = pool
	expectStatus(t, first.post("/api/v2/list/categories", "{}"), http.StatusOK)
}

func TestCloseIsIdempotentAndStopsListening(t *testing.T) {
	s, err := Start(Options{})
	if err != nil {
		t.Fatal(err)
	}
	addr := strings.TrimPrefix(s.HTTPSURL(), "https://")
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Fatal("the HTTPS port still accepts connections after Close")
	}
}

func TestTwoFreshServersGiveIdenticalBytes(t *testing.T) {
	a, b := newHarness(t, Options{}), newHarness(t, Options{})
	calls := []call{
		{path: "/api/v2/bills", body: `{"sort":{"createdAt":1},"limit":5}`},
		{path: "/api/v2/list/bills", body: `{"businessDay":"2026-11-20","sort":{"total":-1,"_id":1}}`},
		{path: "/api/v2/list/categories"}, {path: "/api/v2/list/revenueGroups"},
		{path: "/api/v2/categories/vatList"}, {path: "/api/v2/list/products"}, {path: "/api/v2/tables"},
		{path: "/api/v2/tables/order", body: `{"number":12,"plan_id":"plan-main","paid":false}`},
		{path: "/api/v2/tables/order", body: `{"number":99,"plan_id":"plan-terrace","paid":true}`},
		{path: "/api/v2/tables"},
		{path: "/api/v2/list/bills", body: `{}`},
		{path: "/api/v2/bills", auth: "-"},
		{path: "/api/v2/bills", method: http.MethodGet, noBody: true},
	}
	for _, c := range calls {
		ra, rb := a.do(c), b.do(c)
		if ra.err != nil || rb.err != nil {
			t.Fatalf("%s: %v / %v", c.path, ra.err, rb.err)
		}
		if !bytes.Equal(ra.body, rb.body) || ra.status != rb.status {
			t.Errorf("%s %s: answers differ:\n%s\n%s", c.path, c.body, ra.body, rb.body)
		}
		if ra.header.Get("Date") != "" {
			t.Errorf("%s: Date header present (%q): recordings would differ", c.path, ra.header.Get("Date"))
		}
		delete(ra.header, "Date")
		delete(rb.header, "Date")
		if !equalHeaders(ra.header, rb.header) {
			t.Errorf("%s: headers differ:\n%v\n%v", c.path, ra.header, rb.header)
		}
	}
}

func equalHeaders(a, b http.Header) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if strings.Join(v, "\n") != strings.Join(b[k], "\n") {
			return false
		}
	}
	return true
}

func TestEveryAnswerIsMarkedAsSandbox(t *testing.T) {
	h := newHarness(t, Options{})
	for _, c := range []call{
		{path: "/api/v2/bills"}, {path: "/api/v2/bills", auth: "-"}, {path: "/nope"},
		{path: "/api/v2/bills", method: http.MethodDelete}, {path: "/api/v2/bills", ct: "text/plain"},
		{path: "/api/v2/bills", body: "{"}, {path: "/api/v2/bills", plain: true, auth: "-"},
	} {
		r := h.do(c)
		if r.err != nil {
			t.Fatal(r.err)
		}
		if got := r.header.Get(SandboxHeader); got != SandboxHeaderValue {
			t.Errorf("%s %s (plain=%v) -> %d: %s = %q", c.method, c.path, c.plain, r.status, SandboxHeader, got)
		}
	}
}

func TestHandlerServesWithoutTLS(t *testing.T) {
	h := newHarness(t, Options{})
	req := httptest.NewRequest(http.MethodPost, "/api/v2/list/revenueGroups", strings.NewReader("{}"))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", validToken(DefaultKey))
	rec := httptest.NewRecorder()
	h.s.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Body.String(), `[{"_id":`) {
		t.Fatalf("Handler: %d %s", rec.Code, rec.Body)
	}
	if rec.Header().Get("Content-Type") != "application/json" {
		t.Errorf("Content-Type = %q", rec.Header().Get("Content-Type"))
	}
}

func TestFaultRegistryIsSortedCompleteAndMatchesTheCatalogue(t *testing.T) {
	cat, err := catalogue.Default()
	if err != nil {
		t.Fatal(err)
	}
	faults := Faults()
	if !sort.SliceIsSorted(faults, func(i, j int) bool { return faults[i].Name < faults[j].Name }) {
		t.Error("Faults() is not sorted by name")
	}
	if len(faults) != len(registry) || len(FaultNames()) != len(registry) {
		t.Errorf("Faults() has %d entries, registry %d", len(faults), len(registry))
	}
	faults[0].Breaks = append(faults[0].Breaks, "MUTATED")
	faults[0].Name = "mutated"
	if Faults()[0].Name == "mutated" || strings.Contains(strings.Join(Faults()[0].Breaks, ","), "MUTATED") {
		t.Error("Faults() returns the registry itself, not a copy")
	}
	for _, fl := range Faults() {
		if fl.Summary == "" || fl.Family == "" {
			t.Errorf("%s: missing summary or family", fl.Name)
		}
		switch fl.Family {
		case FamilyAvailability:
			if fl.Expect != ExpectUnavailable || len(fl.Breaks) != 0 {
				t.Errorf("%s: availability faults expect %q and break no requirement", fl.Name, ExpectUnavailable)
			}
		case FamilyCorrect:
			if fl.Expect != ExpectPass || len(fl.Breaks) != 0 {
				t.Errorf("%s: correct variants expect %q and break no requirement", fl.Name, ExpectPass)
			}
		default:
			if (fl.Expect != ExpectFail && fl.Expect != ExpectNotJudged && fl.Expect != ExpectSetup) || len(fl.Breaks) == 0 {
				t.Errorf("%s: want Expect %q, %q or %q and at least one requirement", fl.Name, ExpectFail, ExpectNotJudged, ExpectSetup)
			}
		}
		for _, id := range fl.Breaks {
			if cat.Requirement(id) == nil {
				t.Errorf("%s breaks %s, which the catalogue does not have", fl.Name, id)
			}
		}
	}
}

func TestRoutesListsTheDocumentedPaths(t *testing.T) {
	want := []string{"/api/v2/bills", "/api/v2/categories/vatList", "/api/v2/list/bills", "/api/v2/list/categories",
		"/api/v2/list/products", "/api/v2/list/revenueGroups", "/api/v2/tables", "/api/v2/tables/order"}
	if got := Routes(); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("Routes() = %v, want %v", got, want)
	}
	cat, err := catalogue.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, ep := range cat.Endpoints {
		if _, ok := routes[ep.Path]; !ok {
			t.Errorf("catalogue endpoint %s (%s) has no sandbox route", ep.ID, ep.Path)
		}
	}
}

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestRequestLogIsOneRedactedLinePerRequest(t *testing.T) {
	const key = "log-test-key-planted-42"
	var log syncBuffer
	h := newHarness(t, Options{Key: key, Log: &log})
	h.do(call{path: "/api/v2/bills", auth: "Token api_test@" + key})
	h.do(call{path: "/api/v2/bills", auth: "-", query: "api_key=" + key + "&app_name=api_test"})
	h.do(call{path: "/api/v2/x/" + key, auth: "-"})
	h.do(call{path: "/api/v2/bills", plain: true, auth: "-"})
	h.c.CloseIdleConnections()
	if err := h.s.Close(); err != nil {
		t.Fatal(err)
	}
	got := log.String()
	want := "POST /api/v2/bills 200\nPOST /api/v2/bills 401\nPOST /api/v2/x/<SANDBOX_KEY> 401\nPOST /api/v2/bills 308 (http)\n"
	if got != want {
		t.Errorf("log:\n%s\nwant:\n%s", got, want)
	}
	if strings.Contains(got, key) {
		t.Errorf("the log holds the key:\n%s", got)
	}
}
