package e2e

import (
	"bytes"
	"encoding/pem"
	"github.com/winston-conformance/winston-conformance/harness/evidence"
	"github.com/winston-conformance/winston-conformance/harness/sandbox"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/winston-conformance/winston-conformance/harness/config"
	"github.com/winston-conformance/winston-conformance/harness/report"
)

// hostileFocus keeps the runs against hostile targets short: one auth
// check and the check that POSTs to every endpoint.
var hostileFocus = []string{"AUTH-001", "STRUCT-001"}

// hostileEnv is a live run against baseURL, trusting the CA in caFile
// (none when ""). The plain-HTTP origin is a closed port: the focused
// checks never use it.
func hostileEnv(t *testing.T, baseURL, caFile string) map[string]string {
	t.Helper()
	env := map[string]string{
		config.EnvMode:    "live",
		config.EnvBaseURL: baseURL,
		config.EnvHTTPURL: "http://" + closedAddr(t),
		config.EnvAPIKey:  plantedKey(t, "hostile-target-key-"),
		config.EnvTimeout: "1s",
		config.EnvRetries: "0",
		config.EnvMaxRPS:  "0",
	}
	if caFile != "" {
		env[config.EnvCAFile] = caFile
	}
	return env
}

// closedAddr is a loopback address where nothing listens.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

// tlsTarget serves h over HTTPS on loopback and returns its origin and a
// CA file that trusts it.
func tlsTarget(t *testing.T, h http.Handler) (string, string) {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(ca, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	return srv.URL, ca
}

// resettingTarget accepts TCP connections and resets them at once.
func resettingTarget(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			if tcp, ok := conn.(*net.TCPConn); ok {
				_ = tcp.SetLinger(0) // close with RST, not FIN
			}
			_ = conn.Close()
		}
	}()
	return "https://" + ln.Addr().String()
}

// hangingTarget answers nothing until the client gives up.
func hangingTarget(t *testing.T) (string, string) {
	t.Helper()
	stop := make(chan struct{})
	url, ca := tlsTarget(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	}))
	// Registered after the server's Close, so it runs first and lets the
	// handlers return.
	t.Cleanup(func() { close(stop) })
	return url, ca
}

// plainHTTPTarget answers JSON over plain HTTP only.
func plainHTTPTarget(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte("[]"))
	}))
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String()
}

func TestUnreachableTargetsAreUnavailable(t *testing.T) {
	cases := []struct {
		name   string
		target func(t *testing.T) (string, string)
	}{
		{"a target that resets every connection", func(t *testing.T) (string, string) { return resettingTarget(t), "" }},
		{"a target that hangs past the timeout", hangingTarget},
		{"a target whose HTTPS port is closed (HTTP only)", func(t *testing.T) (string, string) {
			plainHTTPTarget(t)
			return "https://" + closedAddr(t), ""
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			url, ca := tc.target(t)
			r := runSuite(t, hostileEnv(t, url, ca), focus(hostileFocus...))
			doc := r.mustDoc(t)
			if doc.Verdict != report.VerdictUnavailable {
				t.Errorf("verdict %s, want %s: %s", doc.Verdict, report.VerdictUnavailable, doc.Summary)
			}
			for _, id := range hostileFocus {
				if req := r.requirement(t, id); req.Classification == report.ClassContractViolation {
					t.Errorf("%s is a contract violation, but the target never answered: %s", id, req.Reason)
				}
			}
			if r.Took > 30*time.Second {
				t.Errorf("the run took %v: an unreachable target must be judged in seconds", r.Took)
			}
		})
	}
}

// TestHTTPSURLOnThePlainHTTPPortIsASetupError: a base URL that names a
// port answering plain HTTP is far more often a mistake in WINSTON_BASE_URL
// than anything about the target, so the run is a configuration error whose
// summary and reasons name the fix, never a contract violation.
func TestHTTPSURLOnThePlainHTTPPortIsASetupError(t *testing.T) {
	r := runSuite(t, hostileEnv(t, "https://"+plainHTTPTarget(t), ""), focus(hostileFocus...))
	doc := r.mustDoc(t)
	if doc.Verdict != report.VerdictConfigError || !strings.Contains(doc.Summary, "WINSTON_BASE_URL") || !strings.Contains(doc.Summary, "HTTP port") {
		t.Errorf("verdict %s, want %s with a hint at the port: %s", doc.Verdict, report.VerdictConfigError, doc.Summary)
	}
	for _, id := range hostileFocus {
		if req := r.requirement(t, id); req.Classification != report.ClassConfigurationError || !strings.Contains(req.Reason, "WINSTON_BASE_URL") {
			t.Errorf("%s: %s: %s", id, req.Classification, req.Reason)
		}
	}
}

// streamedBody sends a body that claims and would be 1 GiB, written a
// chunk at a time and never held in memory; sent counts what went out.
func streamedBody(sent *atomic.Int64) http.HandlerFunc {
	const size = 1 << 30
	chunk := make([]byte, 64<<10)
	for i := range chunk {
		chunk[i] = '1'
	}
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(size))
		w.WriteHeader(http.StatusOK)
		for n := 0; n < size; n += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return // the client stopped reading: what the test wants
			}
			sent.Add(int64(len(chunk)))
		}
	}
}

// Every route answers 1 GiB: the client stops reading at WINSTON_MAX_BODY
// (16 MiB by default) on each of the few requests, and an answer longer
// than the suite reads is the setting's to raise, never a violation nor an
// outage: a configuration error naming WINSTON_MAX_BODY.
func TestAnAnswerLongerThanTheSuiteReadsIsASetupError(t *testing.T) {
	var sent atomic.Int64
	url, ca := tlsTarget(t, streamedBody(&sent))
	r := runSuite(t, hostileEnv(t, url, ca), focus(hostileFocus...))
	doc := r.mustDoc(t)
	if doc.Verdict != report.VerdictConfigError || !strings.Contains(strings.Join(doc.Run.Problems, "\n"), "WINSTON_MAX_BODY") {
		t.Errorf("verdict %s, problems %q: want config-error naming WINSTON_MAX_BODY", doc.Verdict, doc.Run.Problems)
	}
	if got := sent.Load(); got == 0 || got > 512<<20 {
		t.Errorf("the 1 GiB target sent %d bytes: want some, and far less than 1 GiB", got)
	}
	if r.Took > 30*time.Second {
		t.Errorf("the run took %v", r.Took)
	}
}

func TestWrongAnswersAreContractViolations(t *testing.T) {
	invalidJSON := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"bills": [ {"_id": "b1", "total": 12.5`))
	})
	redirectLoop := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.String(), http.StatusTemporaryRedirect)
	})
	cases := []struct {
		name    string
		handler http.Handler
		// failing are the requirements that must fail as violations;
		// the others of hostileFocus may pass (AUTH-001 only asks that
		// the key is accepted) but never count as unavailable.
		failing []string
		check   func(t *testing.T)
	}{
		{"invalid JSON with status 200", invalidJSON, []string{"STRUCT-001"}, nil},
		{"a redirect loop", redirectLoop, []string{"AUTH-001", "STRUCT-001"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			url, ca := tlsTarget(t, tc.handler)
			r := runSuite(t, hostileEnv(t, url, ca), focus(hostileFocus...))
			doc := r.mustDoc(t)
			if doc.Verdict != report.VerdictFail {
				t.Errorf("verdict %s, want %s: %s", doc.Verdict, report.VerdictFail, doc.Summary)
			}
			for _, id := range tc.failing {
				req := r.requirement(t, id)
				if req.Status != report.StatusFailed || req.Classification != report.ClassContractViolation {
					t.Errorf("%s is %s/%s, want failed/%s: %s", id, req.Status, req.Classification, report.ClassContractViolation, req.Reason)
				}
			}
			for _, id := range hostileFocus {
				if req := r.requirement(t, id); req.Classification == report.ClassEnvironmentUnavailable {
					t.Errorf("%s is classified unavailable, but the target answered: %s", id, req.Reason)
				}
			}
			if r.Took > 30*time.Second {
				t.Errorf("the run took %v: a wrong answer must be judged in seconds", r.Took)
			}
			if tc.check != nil {
				tc.check(t)
			}
		})
	}
}

// A wrong status is a violation whatever the length of the body that came
// with it: a 200 to a request without credentials, longer than
// WINSTON_MAX_BODY, fails AUTH-002 and is no setup matter.
func TestALongAnswerWithAWrongStatusIsAViolation(t *testing.T) {
	big := bytes.Repeat([]byte("x"), 8<<10)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Header.Get("Authorization") == "" {
			_, _ = w.Write(big)
			return
		}
		http.Error(w, "Unauthorized", http.StatusUnauthorized)
	})
	url, ca := tlsTarget(t, h)
	env := hostileEnv(t, url, ca)
	env[config.EnvMaxBody] = "2KiB"
	r := runSuite(t, env, focus("AUTH-002"))
	if req := r.requirement(t, "AUTH-002"); req.Classification != report.ClassContractViolation {
		t.Errorf("AUTH-002: %s: %s", req.Classification, req.Reason)
	}
}

// padded answers every request carrying key with its answer followed by n
// spaces (still the same JSON), and 404s of n bytes at path.
func padded(h http.Handler, key string, n int, path string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if path != "" && r.URL.Path == path {
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write(bytes.Repeat([]byte("n"), n))
			return
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			if k != "Content-Length" {
				w.Header()[k] = v
			}
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
		if key != "" && strings.Contains(r.Header.Get("Authorization"), key) {
			_, _ = w.Write(bytes.Repeat([]byte(" "), n))
		}
	})
}

// Answers longer than WINSTON_MAX_BODY are never judged as what they are
// not: the second tenant's long answer is no isolation violation, a long
// 404 at a path that is no route is no refusal, and every excerpt of a cut
// answer is marked.
func TestLongAnswersAreJudgedForWhatTheyAre(t *testing.T) {
	srv, _ := startSandbox(t, sandbox.Options{})
	url, ca := tlsTarget(t, padded(srv.Handler(), sandbox.DefaultKey2, 64<<10, "/api/v2/list/bills"))
	env := liveEnv(srv, "", "")
	env[config.EnvBaseURL], env[config.EnvCAFile], env[config.EnvMaxBody] = url, ca, "48KiB"
	r := runSuite(t, env, focus("AUTH-009", "ERR-001"))
	if req := r.requirement(t, "AUTH-009"); req.Classification == report.ClassContractViolation {
		t.Errorf("AUTH-009 failed as a violation on the second tenant's long answer: %s", req.Reason)
	}
	if req := r.requirement(t, "ERR-001"); req.Status == report.StatusPassed {
		for _, f := range req.Evidence.Findings {
			if strings.HasPrefix(f.Endpoint, "list-bills") && f.OK && f.Facts[report.NotJudgedFact] == "" {
				t.Errorf("ERR-001 took a long 404 at a path that is no route for a refusal: %+v", f)
			}
		}
	}
	for _, id := range []string{"AUTH-009", "ERR-001"} {
		for _, ex := range r.requirement(t, id).Evidence.Exchanges {
			if ex.ResponseBytes > 48<<10 && !strings.HasSuffix(ex.ResponseBody, evidence.CutMark) {
				t.Errorf("%s: an answer cut at WINSTON_MAX_BODY is shown unmarked (%d bytes)", id, ex.ResponseBytes)
			}
		}
	}
}

// ERR-008 sends a burst to provoke a 429. A burst that got no answer at
// all (here, TLS to a plain-HTTP port) says nothing of a rate limit: the
// check is the run's setup error like the others, never skipped with
// "the target did not rate-limit", which would send the user off to
// raise fixtures.rateLimitBurst.
func TestABurstWithNoAnswerIsNoMissingRateLimit(t *testing.T) {
	r := runSuite(t, hostileEnv(t, "https://"+plainHTTPTarget(t), ""), focus("ERR-008"))
	req := r.requirement(t, "ERR-008")
	if req.Status != report.StatusFailed || req.Classification != report.ClassConfigurationError || !strings.Contains(req.Reason, "WINSTON_BASE_URL") {
		t.Errorf("ERR-008: %s/%s: %s", req.Status, req.Classification, req.Reason)
	}
	if strings.Contains(req.Reason, "rateLimitBurst") {
		t.Errorf("ERR-008 sends the user to raise the burst: %s", req.Reason)
	}
}
