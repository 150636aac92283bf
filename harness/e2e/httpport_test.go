package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/winston-conformance/winston-conformance/harness/config"
	"github.com/winston-conformance/winston-conformance/harness/report"
	"github.com/winston-conformance/winston-conformance/harness/sandbox"
)

// TestBaseURLOnTheHTTPPortIsNoRedirectViolation: with WINSTON_BASE_URL on
// the sandbox's plain-HTTP port, the redirect to its HTTPS port is on
// another port than the configured origin's. That is the configuration's
// mistake, not the target's: TRANS-001 is a configuration error with the
// HTTP-port hint, and the run's verdict is no failure.
func TestBaseURLOnTheHTTPPortIsNoRedirectViolation(t *testing.T) {
	srv, _ := startSandbox(t, sandbox.Options{})
	env := liveEnv(srv, "", "")
	plain, err := url.Parse(srv.HTTPURL())
	if err != nil {
		t.Fatal(err)
	}
	env[config.EnvBaseURL] = "https://" + plain.Host
	r := runSuite(t, env, focus("TRANS-001", "AUTH-001"))
	doc := r.mustDoc(t)
	if doc.Verdict != report.VerdictConfigError {
		t.Errorf("verdict %s, want %s: %s", doc.Verdict, report.VerdictConfigError, doc.Summary)
	}
	req := r.requirement(t, "TRANS-001")
	if req.Classification != report.ClassConfigurationError || !strings.Contains(req.Reason, "WINSTON_BASE_URL") {
		t.Errorf("TRANS-001: %s: %s", req.Classification, req.Reason)
	}
}

// WINSTON_HTTP_URL on the sandbox's HTTPS port: the plain probe gets the
// 400 a TLS server gives a plain request, which is the setting's mistake:
// TRANS-001 and TRANS-002 are configuration errors, never violations.
func TestHTTPURLOnTheTLSPortIsASetupError(t *testing.T) {
	srv, _ := startSandbox(t, sandbox.Options{})
	env := liveEnv(srv, "", "")
	tlsURL, err := url.Parse(srv.HTTPSURL())
	if err != nil {
		t.Fatal(err)
	}
	env[config.EnvHTTPURL] = "http://" + tlsURL.Host
	r := runSuite(t, env, focus("TRANS-001", "TRANS-002"))
	if doc := r.mustDoc(t); doc.Verdict != report.VerdictConfigError {
		t.Errorf("verdict %s, want %s: %s", doc.Verdict, report.VerdictConfigError, doc.Summary)
	}
	for _, id := range []string{"TRANS-001", "TRANS-002"} {
		if req := r.requirement(t, id); req.Classification != report.ClassConfigurationError || !strings.Contains(req.Reason, "WINSTON_HTTP_URL") {
			t.Errorf("%s: %s: %s", id, req.Classification, req.Reason)
		}
	}
}

// A wrong or rotated WINSTON_API_KEY_2 is refused while the first key is
// taken: AUTH-009 is a configuration error naming the second key, never a
// tenant-isolation violation.
func TestARefusedSecondKeyIsASetupError(t *testing.T) {
	srv, _ := startSandbox(t, sandbox.Options{})
	env := liveEnv(srv, "", "")
	env[config.EnvAPIKey2] = "sandbox-tenant-2-key-rotated"
	r := runSuite(t, env, focus("AUTH-009"))
	req := r.requirement(t, "AUTH-009")
	if req.Classification != report.ClassConfigurationError || !strings.Contains(req.Reason, "WINSTON_API_KEY_2") {
		t.Errorf("AUTH-009: %s: %s", req.Classification, req.Reason)
	}
}

// A second key the target takes on one endpoint and refuses on another is
// no wrong key: the refusal is the endpoint's, a violation of AUTH-009.
func TestASecondKeyRefusedOnOneEndpointIsAViolation(t *testing.T) {
	srv, _ := startSandbox(t, sandbox.Options{})
	refuseOnBills := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v2/bills" && strings.Contains(r.Header.Get("Authorization"), sandbox.DefaultKey2) {
			http.Error(w, "Unauthorized", http.StatusUnauthorized)
			return
		}
		srv.Handler().ServeHTTP(w, r)
	})
	url, ca := tlsTarget(t, refuseOnBills)
	env := liveEnv(srv, "", "")
	env[config.EnvBaseURL], env[config.EnvCAFile] = url, ca
	r := runSuite(t, env, focus("AUTH-009"))
	if req := r.requirement(t, "AUTH-009"); req.Classification != report.ClassContractViolation {
		t.Errorf("AUTH-009: %s: %s", req.Classification, req.Reason)
	}
}

// Two servers side by side: WINSTON_HTTP_URL names one sandbox's
// plain-HTTP port, WINSTON_BASE_URL another's HTTPS port. The redirect to
// the first one's HTTPS port is the settings' mismatch, not the target's
// wrong redirect: TRANS-001 is a configuration error naming both
// settings, never a violation.
func TestMismatchedURLSettingsAreASetupError(t *testing.T) {
	srv, _ := startSandbox(t, sandbox.Options{})
	other, _ := startSandbox(t, sandbox.Options{})
	env := liveEnv(srv, "", "")
	env[config.EnvHTTPURL] = other.HTTPURL()
	r := runSuite(t, env, focus("TRANS-001"))
	if doc := r.mustDoc(t); doc.Verdict != report.VerdictConfigError {
		t.Errorf("verdict %s, want %s: %s", doc.Verdict, report.VerdictConfigError, doc.Summary)
	}
	req := r.requirement(t, "TRANS-001")
	if req.Classification != report.ClassConfigurationError || !strings.Contains(req.Reason, "WINSTON_HTTP_URL") || !strings.Contains(req.Reason, "WINSTON_BASE_URL") {
		t.Errorf("TRANS-001: %s: %s", req.Classification, req.Reason)
	}
}
