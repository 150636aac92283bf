package e2e

import (
	"strings"
	"testing"

	"github.com/winston-conformance/winston-conformance/harness/catalogue"
	"github.com/winston-conformance/winston-conformance/harness/report"
	"github.com/winston-conformance/winston-conformance/harness/sandbox"
)

// outageSeed is a Ginkgo seed that runs TRANS-002 before TRANS-003 and
// TRANS-004 in the focused run below (Ginkgo shuffles the specs; a seed
// fixes the order).
const outageSeed = "1"

// TestATargetStoppedMidRunIsUnavailable is the user test that found the TLS
// probes read as contract violations: the sandbox answers TRANS-002's
// requests, then stops listening, and the TLS probes of TRANS-003 and
// TRANS-004 get connection refused (or reset). The run is unavailable, TRANS-002 is
// still judged (passed), and neither TLS check is a contract violation.
func TestATargetStoppedMidRunIsUnavailable(t *testing.T) {
	// TRANS-002 sends one request to every endpoint of the catalogue
	// (mutations are allowed against this machine): the sandbox answers
	// those, then stops.
	cat, err := catalogue.Default()
	if err != nil {
		t.Fatal(err)
	}
	srv, _ := startSandbox(t, sandbox.Options{DownAfter: len(cat.Endpoints)})
	ids := []string{"TRANS-002", "TRANS-003", "TRANS-004"}
	r := runSuite(t, liveEnv(srv, "", ""), focus(ids...), "-ginkgo.seed="+outageSeed)
	doc := r.mustDoc(t)
	if req := r.requirement(t, "TRANS-002"); req.Status != report.StatusPassed {
		t.Fatalf("TRANS-002 %s (%s), want passed before the outage: with seed %s it no longer runs first, pick another seed: %s",
			req.Status, req.Classification, outageSeed, req.Reason)
	}
	for _, id := range ids[1:] {
		req := r.requirement(t, id)
		if req.Status != report.StatusFailed || req.Classification != report.ClassEnvironmentUnavailable {
			t.Errorf("%s %s (%s), want failed as %s: %s", id, req.Status, req.Classification, report.ClassEnvironmentUnavailable, req.Reason)
		}
		if !strings.Contains(req.Reason, "target unreachable: TLS handshake with") {
			t.Errorf("%s must show the probe's error, marked unreachable: %s", id, req.Reason)
		}
	}
	if doc.Verdict != report.VerdictUnavailable || doc.Counts.ContractViolations != 0 {
		t.Errorf("verdict %s with %d contract violation(s), want unavailable and none: %s", doc.Verdict, doc.Counts.ContractViolations, doc.Summary)
	}
}

// TRANS-005 reads a header off the answers; an outage's 503s (a gateway's
// page, not the API's) judge no rule, so it neither passes nor fails on
// them: the run is unavailable. (Before, it passed on them.)
func TestHSTSIsNotJudgedOnOutageAnswers(t *testing.T) {
	srv, _ := startSandbox(t, sandbox.Options{Faults: []string{"outage"}})
	r := runSuite(t, liveEnv(srv, "", ""), focus("TRANS-005"))
	req := r.requirement(t, "TRANS-005")
	if req.Status == report.StatusPassed || req.Classification != report.ClassEnvironmentUnavailable {
		t.Errorf("TRANS-005 %s (%s): judged on an outage's answers: %s", req.Status, req.Classification, req.Reason)
	}
}

// A closed plain-HTTP port fails TRANS-001 only where the HTTPS API
// answers: with every HTTPS request reset (a TLS handshake completes, then
// nothing), the run is an outage, not a broken contract.
func TestAClosedHTTPPortOfADownTargetIsNoViolation(t *testing.T) {
	srv, _ := startSandbox(t, sandbox.Options{Faults: []string{"reset", "http-port-closed"}})
	r := runSuite(t, liveEnv(srv, "", ""), focus("TRANS-001"))
	if req := r.requirement(t, "TRANS-001"); req.Classification == report.ClassContractViolation {
		t.Errorf("TRANS-001 %s (%s) on a target whose HTTPS answers nothing: %s", req.Status, req.Classification, req.Reason)
	}
}
