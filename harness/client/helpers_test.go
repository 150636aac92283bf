package client

import (
	"encoding/pem"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/winston-conformance/winston-conformance/harness/catalogue"
	"github.com/winston-conformance/winston-conformance/harness/config"
)

// planted is a key that must never appear in any output.
const planted = "PLANTED-client-key-123456"

const planted2 = "PLANTED-client-key2-654321"

var testFixtures = catalogue.Fixtures{WrongKey: "wrong-key-fixture-00000000000000", WrongApp: "not_an_app"}

// seen is what a test server received.
type seen struct {
	Method, Path, RawQuery string
	Header                 http.Header
	Body                   []byte
}

// target is a loopback test server that records what it receives.
type target struct {
	*httptest.Server
	hits atomic.Int32
	mu   sync.Mutex
	last seen
	all  []seen
}

func (tg *target) wrap(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		tg.hits.Add(1)
		tg.mu.Lock()
		tg.last = seen{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone(), body}
		tg.all = append(tg.all, tg.last)
		tg.mu.Unlock()
		h(w, r)
	}
}

func (tg *target) lastSeen() seen {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	return tg.last
}

// newTLSTarget starts an https server on loopback.
func newTLSTarget(t *testing.T, h http.HandlerFunc) *target {
	t.Helper()
	tg := &target{}
	tg.Server = quietServer(tg.wrap(h))
	tg.StartTLS()
	t.Cleanup(tg.Close)
	return tg
}

// quietServer is an unstarted test server that does not log the handshake
// errors the TLS tests provoke on purpose.
func quietServer(h http.Handler) *httptest.Server {
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	return srv
}

// newPlainTarget starts an http server on loopback.
func newPlainTarget(t *testing.T, h http.HandlerFunc) *target {
	t.Helper()
	tg := &target{}
	tg.Server = quietServer(tg.wrap(h))
	tg.Start()
	t.Cleanup(tg.Close)
	return tg
}

func ok(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `[{"_id":"b1","total":12.5}]`)
}

// caFile writes the server's certificate as a CA file.
func caFile(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "ca.pem")
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// liveConfig is a live configuration aimed at srv, trusting its
// certificate; extra variables override.
func liveConfig(t *testing.T, srv *httptest.Server, extra map[string]string) *config.Config {
	t.Helper()
	vars := map[string]string{
		config.EnvMode:      "live",
		config.EnvBaseURL:   srv.URL,
		config.EnvHTTPURL:   "http://127.0.0.1:9",
		config.EnvAPIKey:    planted,
		config.EnvAPIKey2:   planted2,
		config.EnvCAFile:    caFile(t, srv),
		config.EnvTimeout:   "2s",
		config.EnvMaxRPS:    "0",
		config.EnvRetries:   "0",
		config.EnvReportDir: t.TempDir(),
	}
	for k, v := range extra {
		vars[k] = v
	}
	cfg, err := config.LoadFrom(config.MapLookup(vars))
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	return cfg
}

// liveClient is a client over NetworkTransport to srv.
func liveClient(t *testing.T, srv *httptest.Server, extra map[string]string, topts ...TransportOption) *Client {
	t.Helper()
	cfg := liveConfig(t, srv, extra)
	rt, err := NetworkTransport(cfg, topts...)
	if err != nil {
		t.Fatal(err)
	}
	return New(cfg, testFixtures, rt)
}

// within fails the test if fn takes longer than d; it bounds every fault
// test so a regression hangs nothing.
func within(t *testing.T, d time.Duration, fn func()) time.Duration {
	t.Helper()
	done := make(chan struct{})
	start := time.Now()
	go func() { defer close(done); fn() }()
	select {
	case <-done:
		return time.Since(start)
	case <-time.After(d):
		t.Fatalf("took longer than %s", d)
		return 0
	}
}
