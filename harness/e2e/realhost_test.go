package e2e

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/winston-conformance/winston-conformance/harness/config"
	"github.com/winston-conformance/winston-conformance/harness/report"
	"github.com/winston-conformance/winston-conformance/harness/sandbox"
)

// outsideAddress is an IPv4 address of this machine that is not loopback,
// or "" when it has none.
func outsideAddress() string {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return ""
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLoopback() {
			return n.IP.String()
		}
	}
	return ""
}

// tlsTargetAt serves h over HTTPS at ip with a certificate for ip, and
// returns its origin and a CA file that trusts it.
func tlsTargetAt(t *testing.T, ip string, h http.Handler) (string, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cert := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "an environment elsewhere"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP(ip)}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, cert, cert, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	if err != nil {
		t.Skipf("cannot listen on %s: %v", ip, err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.Listener = ln
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}, MinVersion: tls.VersionTLS12}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return srv.URL, ca
}

// planOfItsOwn answers an order on any plan but "its-own-plan" with 404,
// before it looks at the rest, as an environment without the sandbox's
// plan-main may.
func planOfItsOwn(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		var body map[string]any
		if r.URL.Path == "/api/v2/tables/order" && json.Unmarshal(raw, &body) == nil && body["plan_id"] != "its-own-plan" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"message":"unknown plan_id: no order was placed"}`))
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(raw))
		h.ServeHTTP(w, r)
	})
}

// An environment elsewhere, run with the embedded catalogue, has no
// plan-main: its 404 to the create-order example is no violation of any
// check that reads every endpoint (the endpoint is left out, saying why),
// ORDER-004 is skipped like ORDER-001..003, and ERR-005, whose plan is
// unknown everywhere, is still judged.
func TestTheSandboxPlanIsNotSentToAnEnvironmentElsewhere(t *testing.T) {
	ip := outsideAddress()
	if ip == "" {
		t.Skip("this machine has no address but loopback")
	}
	srv, _ := startSandbox(t, sandbox.Options{})
	url, ca := tlsTargetAt(t, ip, planOfItsOwn(srv.Handler()))
	env := liveEnv(srv, "", "")
	env[config.EnvBaseURL], env[config.EnvCAFile], env[config.EnvAllowMutations] = url, ca, "true"
	ids := []string{"AUTH-001", "STRUCT-001", "STRUCT-005", "SCHEMA-001", "ORDER-004", "ERR-005"}
	r := runSuite(t, env, focus(ids...))
	doc := r.mustDoc(t)
	for _, id := range ids {
		req := r.requirement(t, id)
		switch {
		case req.Classification == report.ClassContractViolation:
			t.Errorf("%s is a violation: %s", id, req.Reason)
		case id == "ORDER-004" && req.Status != report.StatusSkipped:
			t.Errorf("ORDER-004: %s, want skipped: %s", req.Status, req.Reason)
		case id != "ORDER-004" && req.Status != report.StatusPassed:
			t.Errorf("%s: %s, want passed: %s", id, req.Status, req.Reason)
		}
	}
	if doc.Verdict != report.VerdictPass {
		t.Errorf("verdict %s: %s", doc.Verdict, doc.Summary)
	}
}

// noListBills answers 404 to everything at /api/v2/list/bills, as an
// environment that follows the QA guide (no /list/ collections) may.
func noListBills(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v2/list/bills" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"message":"no route POST /api/v2/list/bills"}`))
			return
		}
		h.ServeHTTP(w, r)
	})
}

// A 404 from a path that is no route is no refusal of the bad request
// sent to it: BILL-001 (whose one endpoint is list-bills) and ERR-001
// used to pass on it. A path only guessed makes them configuration
// errors, as AUTH-001 is; none of them passes on it.
func TestA404FromNoRouteIsNoRefusal(t *testing.T) {
	srv, _ := startSandbox(t, sandbox.Options{})
	url, ca := tlsTarget(t, noListBills(srv.Handler()))
	env := liveEnv(srv, "", "")
	env[config.EnvBaseURL], env[config.EnvCAFile] = url, ca
	r := runSuite(t, env, focus("BILL-001", "ERR-001", "AUTH-001"))
	for _, id := range []string{"BILL-001", "ERR-001", "AUTH-001"} {
		if req := r.requirement(t, id); req.Status == report.StatusPassed || req.Classification == report.ClassContractViolation {
			t.Errorf("%s: %s %s: %s", id, req.Status, req.Classification, req.Reason)
		}
	}
}

// A recording in which a check found a documented path to be no route (a
// 404 to its example too) replays to the same judgement: the control is
// in the cassette, marked, and replay reads it instead of taking the 404
// for a refusal.
func TestANoRouteControlReplaysAsRecorded(t *testing.T) {
	srv, _ := startSandbox(t, sandbox.Options{})
	cat := editedCatalogue(t, "path: /api/v2/list/categories\n", "path: /api/v2/list/categoriez\n")
	cassettes := filepath.Join(t.TempDir(), "cassettes")
	if err := os.Mkdir(cassettes, 0o750); err != nil {
		t.Fatal(err)
	}
	env := liveEnv(srv, "", "")
	env[config.EnvMode], env[config.EnvCassetteDir], env[config.EnvCatalogue] = "record", cassettes, cat
	recorded := runSuite(t, env, focus("ERR-001"))
	replay := map[string]string{config.EnvMode: "replay", config.EnvCassetteDir: cassettes, config.EnvCatalogue: cat}
	replayed := runSuite(t, replay, focus("ERR-001"))
	notJudged := func(r report.Requirement) bool {
		for _, f := range r.Evidence.Findings {
			if strings.HasPrefix(f.Endpoint, "categories") && f.Facts[report.NotJudgedFact] != "" {
				return true
			}
		}
		return false
	}
	rec, rep := recorded.requirement(t, "ERR-001"), replayed.requirement(t, "ERR-001")
	if !notJudged(rec) {
		t.Fatalf("recording: ERR-001 %s did not leave categories unjudged: %+v", rec.Status, rec.Evidence.Findings)
	}
	if rep.Status != rec.Status || !notJudged(rep) {
		t.Errorf("replay: ERR-001 %s (categories unjudged: %v), recorded %s with categories unjudged", rep.Status, notJudged(rep), rec.Status)
	}
}

// A server that ignores skip, on data whose first items all tie on the
// sort field, cannot be seen ignoring it: LIST-003 says it could not judge,
// never that skip holds.
func TestSkipOnTiedDataIsNotJudged(t *testing.T) {
	srv, _ := startSandbox(t, sandbox.Options{})
	tied := regexp.MustCompile(`"createdAt":"[^"]*"`)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		var body map[string]any
		if json.Unmarshal(raw, &body) == nil {
			delete(body, "skip")
			raw, _ = json.Marshal(body)
		}
		r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(raw)), int64(len(raw))
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, r)
		out := tied.ReplaceAll(rec.Body.Bytes(), []byte(`"createdAt":"2026-11-20T00:00:00Z"`))
		for k, v := range rec.Header() {
			if k != "Content-Length" {
				w.Header()[k] = v
			}
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(out)
	})
	url, ca := tlsTarget(t, h)
	env := liveEnv(srv, "", "")
	env[config.EnvBaseURL], env[config.EnvCAFile] = url, ca
	r := runSuite(t, env, focus("LIST-003"))
	if req := r.requirement(t, "LIST-003"); req.Status == report.StatusPassed {
		t.Errorf("LIST-003 passed a server that ignores skip on tied data: %s", req.Reason)
	}
}
