package report

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/winston-conformance/winston-conformance/harness/client"
	"github.com/winston-conformance/winston-conformance/harness/evidence"
)

// noAnswer is an exchange that died with err, and the failing finding a
// check makes of it (conformance.Summary: "no answer: <error>").
func noAnswer(err string, unavailable bool) (evidence.Exchange, evidence.Finding) {
	ex := evidence.Exchange{Method: "POST", URL: testBase + "/api/v2/bills", AuthShape: "valid", Error: err, Unavailable: unavailable}
	return ex, evidence.Finding{Endpoint: "bills", Expected: "200", Observed: "no answer: " + err}
}

// everyCheckFails makes every spec of the test catalogue fail on the same
// exchange and finding, with the plain-HTTP redirect still answering (as it
// does when only the https setup is wrong).
func everyCheckFails(ex evidence.Exchange, f evidence.Finding) []fakeSpec {
	var specs []fakeSpec
	for _, s := range allPassing() {
		s.state, s.msg = types.SpecStateFailed, "1 violation(s); first: bills: expected 200; observed "+f.Observed
		s.exchanges = []evidence.Exchange{ex, {Method: "POST", URL: "http://api-qa.example.test/api/v2/bills", AuthShape: "none", Status: 308}}
		s.findings = []evidence.Finding{f}
		specs = append(specs, s)
	}
	return specs
}

func TestSetupMistakesAreConfigurationErrorsWithAHint(t *testing.T) {
	for name, tc := range map[string]struct {
		err      string
		mentions []string
	}{
		"unknown CA": {"POST " + testBase + "/api/v2/bills: tls: failed to verify certificate: x509: certificate signed by unknown authority",
			[]string{"WINSTON_CA_FILE", "unknown authority"}},
		"HTTPS URL on the HTTP port": {"Post \"" + testBase + ":8080/api/v2/bills\": http: server gave HTTP response to HTTPS client",
			[]string{"WINSTON_BASE_URL", "HTTP port", "WINSTON_HTTP_URL"}},
		"HTTPS URL on the HTTP port, through a TLS dialer": {"POST " + testBase + ":8080/api/v2/bills: tls: first record does not look like a TLS handshake",
			[]string{"WINSTON_BASE_URL", "HTTP port"}},
		"a host that does not exist": {"POST https://api-qa.mrwinstn.com/api/v2/bills: dial tcp: lookup api-qa.mrwinstn.com on 127.0.0.53:53: no such host",
			[]string{"WINSTON_BASE_URL", "no such host", "spelling"}},
	} {
		t.Run(name, func(t *testing.T) {
			ex, f := noAnswer(tc.err, false)
			doc := Build(ginkgoReport(t, everyCheckFails(ex, f)...), testCatalogue(t), liveRun(), nil, nil)
			if doc.Verdict != VerdictConfigError || doc.Counts.ContractViolations != 0 {
				t.Errorf("verdict %s with %d contract violations, want config-error and none", doc.Verdict, doc.Counts.ContractViolations)
			}
			for _, r := range doc.Requirements {
				if r.Status == StatusFailed && (r.Classification != ClassConfigurationError || !strings.Contains(r.Reason, tc.mentions[0])) {
					t.Errorf("%s: %s: %s", r.ID, r.Classification, r.Reason)
				}
			}
			if len(doc.Run.Problems) != 1 {
				t.Fatalf("want the hint once in the run's problems: %q", doc.Run.Problems)
			}
			for _, m := range tc.mentions {
				if !strings.Contains(doc.Run.Problems[0], m) || !strings.Contains(doc.Summary, m) {
					t.Errorf("the hint and the summary must name %q:\n%s\n%s", m, doc.Run.Problems[0], doc.Summary)
				}
			}
		})
	}
}

// A TLS setup mistake fails every handshake, the plain-HTTP redirect's
// too when port 80 is closed or the run is focused: no request got an
// answer, yet that is no outage. (everyCheckFails keeps a 308 answering,
// which hid this.)
func TestASetupMistakeWithNoAnswerAtAllIsAConfigurationError(t *testing.T) {
	ex, f := noAnswer("POST "+testBase+"/api/v2/bills: tls: failed to verify certificate: x509: certificate signed by unknown authority", false)
	specs := everyCheckFails(ex, f)
	for i := range specs {
		specs[i].exchanges = specs[i].exchanges[:1]
	}
	doc := Build(ginkgoReport(t, specs...), testCatalogue(t), liveRun(), nil, nil)
	if doc.Verdict != VerdictConfigError || !strings.Contains(doc.Summary, "WINSTON_CA_FILE") || !strings.Contains(doc.GoLive.Reason, "WINSTON_CA_FILE") {
		t.Errorf("verdict %s, want config-error naming WINSTON_CA_FILE: %s / %s", doc.Verdict, doc.Summary, doc.GoLive.Reason)
	}
}

func TestA401OnEveryCallWithTheKeyHintsAtTheKeyOrAppName(t *testing.T) {
	rejected := answer("/api/v2/bills", 401, "Unauthorized", 10*time.Millisecond)
	refusedGet := answer("/api/v2/bills", 405, "", 10*time.Millisecond)
	refusedGet.Method = "GET" // refused by method before any key is looked at
	f := evidence.Finding{Endpoint: "bills", Expected: "200", Observed: "401 (text/plain)"}
	var specs []fakeSpec
	for _, s := range allPassing() {
		s.state, s.msg = types.SpecStateFailed, "1 violation(s)"
		s.exchanges, s.findings = []evidence.Exchange{rejected, refusedGet}, []evidence.Finding{f}
		specs = append(specs, s)
	}
	doc := Build(ginkgoReport(t, specs...), testCatalogue(t), liveRun(), nil, nil)
	hint := strings.Join(doc.Run.Problems, "\n")
	for _, m := range []string{"were refused (401 or 403)", "WINSTON_API_KEY", "WINSTON_APP_NAME", "api_test", doc.Target.KeyFingerprint} {
		if !strings.Contains(hint, m) {
			t.Errorf("the hint must name %q: %q", m, hint)
		}
	}
	// A wrong or rotated key is far likelier than a target that refuses
	// every valid key: requirements that failed on those 401s alone are
	// configuration errors, and the run is no contract verdict.
	if r := doc.Requirements[0]; r.Classification != ClassConfigurationError || !strings.Contains(r.Reason, "wrong key or app name") {
		t.Errorf("AUTH-001 failed on 401s alone, with every keyed request refused: %s: %s", r.Classification, r.Reason)
	}
	if doc.Verdict != VerdictConfigError || doc.Counts.ContractViolations != 0 {
		t.Errorf("verdict %s with %d violations, want config-error and none: %s", doc.Verdict, doc.Counts.ContractViolations, doc.Summary)
	}
	if !strings.Contains(doc.Summary, "key or the app name is probably wrong") || strings.Contains(doc.Summary, "cassettes") {
		t.Errorf("the summary must name the key, not cassettes: %s", doc.Summary)
	}
	// A check that expected the 401 and failed on its body (an echoed
	// key, no explanation) failed on something no key explains.
	echo := evidence.Finding{Endpoint: "bills (malformed-no-at)", Expected: "a body that does not quote the key", Observed: "401 (text/plain)"}
	noAt := answer("/api/v2/bills", 401, "Unauthorized: Token api_test…", 10*time.Millisecond)
	noAt.AuthShape = "malformed-no-at"
	keep := specs[0].exchanges
	specs[0].findings, specs[0].exchanges = []evidence.Finding{echo}, append(append([]evidence.Exchange{}, keep...), noAt)
	doc = Build(ginkgoReport(t, specs...), testCatalogue(t), liveRun(), nil, nil)
	if r := doc.Requirements[0]; r.Classification != ClassContractViolation || doc.Verdict != VerdictFail {
		t.Errorf("a refusal of bad credentials that was wrong is a violation whatever the key: %s, verdict %s", r.Classification, doc.Verdict)
	}
	specs[0].findings, specs[0].exchanges = []evidence.Finding{f}, keep
	// One POST with the key answered: the key works, no hint.
	specs[0].exchanges = append(specs[0].exchanges, answer("/api/v2/list/categories", 200, "[]", time.Millisecond))
	doc = Build(ginkgoReport(t, specs...), testCatalogue(t), liveRun(), nil, nil)
	if len(doc.Run.Problems) != 0 || strings.Contains(doc.Requirements[0].Reason, "wrong key") {
		t.Errorf("a key that got an answer is not wrong: %q", doc.Run.Problems)
	}
}

func TestClassificationFollowsTheFailingFindings(t *testing.T) {
	timedOut, lost := noAnswer("POST "+testBase+"/api/v2/list/categories: context deadline exceeded", true)
	served := answer("/api/v2/bills", 200, "[]", time.Millisecond)
	fine := evidence.Finding{Endpoint: "bills", Expected: "200", Observed: "200", OK: true}
	req := &Requirement{ID: "SCHEMA-001", Status: StatusFailed, Reason: "1 violation(s)", Level: "must",
		Evidence: Evidence{Exchanges: []evidence.Exchange{served, timedOut}, Findings: []evidence.Finding{fine, lost}}}
	classify(req, false, nil, testBase, testStart)
	if req.Classification != ClassEnvironmentUnavailable {
		t.Errorf("the one failing finding got no answer (a timeout), the rest passed: %s, want %s", req.Classification, ClassEnvironmentUnavailable)
	}
	// The same timeout, but the failure is on an answer: a violation.
	broken := evidence.Finding{Endpoint: "bills", Expected: "200", Observed: "500 (text/plain)"}
	served.Status = 500
	req = &Requirement{ID: "SCHEMA-001", Status: StatusFailed, Reason: "2 violation(s)", Level: "must",
		Evidence: Evidence{Exchanges: []evidence.Exchange{served, timedOut}, Findings: []evidence.Finding{broken, lost}}}
	classify(req, false, nil, testBase, testStart)
	if req.Classification != ClassContractViolation {
		t.Errorf("a 500 on a request that must succeed is an answer: %s", req.Classification)
	}
	// An answer too large to read is no outage, though it has no "answer".
	tooLarge, finding := noAnswer("response body too large", false)
	tooLarge.Status = 200
	req = &Requirement{ID: "SCHEMA-001", Status: StatusFailed, Reason: "1 violation(s)", Level: "must",
		Evidence: Evidence{Exchanges: []evidence.Exchange{tooLarge}, Findings: []evidence.Finding{finding}}}
	classify(req, false, nil, testBase, testStart)
	if req.Classification != ClassContractViolation {
		t.Errorf("an oversized answer is about the target: %s", req.Classification)
	}
}

// TestAnUnreachableTLSProbeIsAnOutage: a target stopped mid-run refuses the
// TLS probes of TRANS-003/TRANS-004, which make no exchange to be marked
// unavailable; their findings carry the probe's "target unreachable" mark,
// so the run is unavailable with the checks made before still judged. A
// handshake that reached the server and failed stays a contract violation.
func TestAnUnreachableTLSProbeIsAnOutage(t *testing.T) {
	probe := func(observed string) fakeSpec {
		s := passing("TRANS-004", "a valid certificate")
		s.state, s.msg = types.SpecStateFailed, "1 violation(s); first: expected a certificate that verifies; observed "+observed
		s.exchanges = nil
		s.findings = []evidence.Finding{{Expected: "a certificate that verifies for the host and has not expired", Observed: observed}}
		return s
	}
	refused := "handshake failed: target unreachable: TLS handshake with api-qa.example.test:443 (versions TLS 1.2 to TLS 1.3): " +
		"dial tcp 127.0.0.1:443: connect: connection refused"
	doc := Build(ginkgoReport(t, append(allPassing("TRANS-004"), probe(refused))...), testCatalogue(t), liveRun(), nil, nil)
	if doc.Verdict != VerdictUnavailable || doc.Counts.ContractViolations != 0 {
		t.Errorf("verdict %s with %d contract violation(s), want unavailable and none: %s", doc.Verdict, doc.Counts.ContractViolations, doc.Summary)
	}
	passed := 0
	for _, r := range doc.Requirements {
		switch {
		case r.ID == "TRANS-004" && (r.Status != StatusFailed || r.Classification != ClassEnvironmentUnavailable):
			t.Errorf("TRANS-004 %s (%s), want failed as %s: %s", r.Status, r.Classification, ClassEnvironmentUnavailable, r.Reason)
		case r.Status == StatusPassed:
			passed++
		}
	}
	if passed != len(allPassing("TRANS-004")) {
		t.Errorf("%d check(s) passed, want the %d judged before the outage", passed, len(allPassing("TRANS-004")))
	}

	expired := "handshake failed: TLS handshake with api-qa.example.test:443 (versions TLS 1.2 to TLS 1.3): " +
		"tls: failed to verify certificate: x509: certificate has expired or is not yet valid"
	doc = Build(ginkgoReport(t, append(allPassing("TRANS-004"), probe(expired))...), testCatalogue(t), liveRun(), nil, nil)
	if doc.Verdict != VerdictFail || doc.Counts.ContractViolations != 1 {
		t.Errorf("an expired certificate is an answer about the target: verdict %s with %d violation(s), want fail and 1", doc.Verdict, doc.Counts.ContractViolations)
	}
}

// The report reads a TLS probe's outage from its error text, as the
// client marks it: should client.ErrUnreachable's words change, every
// unreachable probe would read as a TRANS-003/004 contract violation.
func TestTheUnreachableMarkIsTheClients(t *testing.T) {
	err := fmt.Errorf("%w: %w", client.ErrUnreachable, fmt.Errorf("TLS handshake with h:443: dial tcp: connection refused"))
	if !strings.HasPrefix(err.Error(), unreachableMark) {
		t.Errorf("the client marks an unreachable probe %q; the report looks for %q", err.Error(), unreachableMark)
	}
}

// A requirement that failed only because its answers were 429s it could not
// judge was throttled by the environment: it is unavailable, never a
// contract violation, and the run says what to lower. One beside a real
// violation still fails the run.
func TestAThrottledRequirementIsUnavailableNotAViolation(t *testing.T) {
	throttled := answer("/api/v2/bills", 429, `{"error":"too many requests"}`, time.Millisecond)
	notJudged := evidence.Finding{Endpoint: "bills", Expected: "200", Observed: "429 (application/json)", OK: true,
		Facts: map[string]string{ThrottledFact: "429", "notJudged": "throttled: lower WINSTON_MAX_RPS"}}
	specs := allPassing("STRUCT-001", "SCHEMA-001")
	for _, id := range []string{"STRUCT-001", "SCHEMA-001"} {
		s := passing(id, "throttled")
		s.state, s.msg = types.SpecStateFailed, id+" not judged: the target throttled the run"
		s.exchanges, s.findings = []evidence.Exchange{throttled}, []evidence.Finding{notJudged}
		specs = append(specs, s)
	}
	doc := Build(ginkgoReport(t, specs...), testCatalogue(t), liveRun(), nil, nil)
	if doc.Verdict != VerdictUnavailable || doc.Counts.ContractViolations != 0 || doc.Counts.EnvironmentUnavailable != 2 {
		t.Errorf("verdict %s, %d violations, %d unavailable; want unavailable, 0, 2: %s", doc.Verdict,
			doc.Counts.ContractViolations, doc.Counts.EnvironmentUnavailable, doc.Summary)
	}
	for _, r := range doc.Requirements {
		if r.Status == StatusFailed && r.Classification != ClassEnvironmentUnavailable {
			t.Errorf("%s: %s, want %s: %s", r.ID, r.Classification, ClassEnvironmentUnavailable, r.Reason)
		}
	}
	if p := strings.Join(doc.Run.Problems, "\n"); !strings.Contains(p, "throttled") || !strings.Contains(p, "WINSTON_MAX_RPS") ||
		!strings.Contains(p, "WINSTON_CONCURRENCY") || !strings.Contains(p, "STRUCT-001") {
		t.Errorf("the run's problems must name the throttling, its fix and the checks: %q", doc.Run.Problems)
	}
	// The go-live reason and the nightly comparison say throttled, with
	// the fix, not "no answer, run again when it answers".
	if r := doc.GoLive.Reason; !strings.Contains(r, "throttled") || !strings.Contains(r, "WINSTON_MAX_RPS") || strings.Contains(r, "no answer") {
		t.Errorf("go-live reason of a throttled run: %q", r)
	}
	pass := Build(ginkgoReport(t, allPassing()...), testCatalogue(t), liveRun(), nil, nil)
	if head := Compare(pass, doc).headline(); !strings.HasPrefix(head, "The target throttled the run") || !strings.Contains(head, "WINSTON_MAX_RPS") {
		t.Errorf("compare headline of a throttled night: %s", head)
	}

	// A violation elsewhere in the same requirement is still a violation.
	violationBeside(t, "a throttled answer", throttled, notJudged)
}

// One endpoint down (503 after the retries) beside others that answered
// well is an outage of that endpoint: the requirement is unavailable, not
// violated, and the run's verdict says no contract verdict, not fail.
func TestOneEndpointDownIsUnavailableNotAViolation(t *testing.T) {
	down := answer("/api/v2/tables/order", 503, "Service Unavailable", time.Millisecond)
	down.Unavailable = true
	up := answer("/api/v2/bills", 200, "[]", time.Millisecond)
	notJudged := evidence.Finding{Endpoint: "create-order", Expected: "200", Observed: "503 (text/plain)", OK: true,
		Facts: map[string]string{UnavailableFact: "503", "notJudged": "unavailable: the endpoint answered 503"}}
	judged := evidence.Finding{Endpoint: "bills", Expected: "200", Observed: "200 (application/json)", OK: true}
	s := passing("STRUCT-001", "one endpoint down")
	s.state, s.msg = types.SpecStateFailed, "STRUCT-001 not judged: 1 request(s) got an outage answer"
	s.exchanges, s.findings = []evidence.Exchange{up, down}, []evidence.Finding{judged, notJudged}
	doc := Build(ginkgoReport(t, append(allPassing("STRUCT-001"), s)...), testCatalogue(t), liveRun(), nil, nil)
	if doc.Verdict != VerdictUnavailable || doc.Counts.ContractViolations != 0 || doc.Counts.EnvironmentUnavailable != 1 {
		t.Errorf("verdict %s, %d violations, %d unavailable; want unavailable, 0, 1: %s", doc.Verdict,
			doc.Counts.ContractViolations, doc.Counts.EnvironmentUnavailable, doc.Summary)
	}
	violationBeside(t, "an outage answer", down, notJudged)
	// The evidence shown is the outage, not the answer that passed, and
	// the summary names the endpoint that was down.
	var r Requirement
	for _, x := range doc.Requirements {
		if x.ID == "STRUCT-001" {
			r = x
		}
	}
	if !strings.HasPrefix(r.Evidence.Observed, "503") {
		t.Errorf("STRUCT-001 shows %q, want the 503", r.Evidence.Observed)
	}
	if !strings.Contains(doc.Summary, "create-order (503) did not answer") {
		t.Errorf("the summary does not name the endpoint that was down: %s", doc.Summary)
	}
}

// violationBeside checks that a 500 in a requirement beside the finding f
// (of the exchange ex) keeps it a contract violation, whatever f says.
func violationBeside(t *testing.T, what string, ex evidence.Exchange, f evidence.Finding) {
	t.Helper()
	broken := evidence.Finding{Endpoint: "tables", Expected: "200", Observed: "500 (text/plain)"}
	answered := answer("/api/v2/tables", 500, "Internal Server Error", time.Millisecond)
	req := &Requirement{ID: "SCHEMA-001", Status: StatusFailed, Reason: "1 violation(s)", Level: "must",
		Evidence: Evidence{Exchanges: []evidence.Exchange{ex, answered}, Findings: []evidence.Finding{f, broken}}}
	classify(req, false, nil, testBase, testStart)
	if req.Classification != ClassContractViolation {
		t.Errorf("a 500 beside %s: %s, want %s", what, req.Classification, ClassContractViolation)
	}
}

// Too few items to judge is about the data: the requirement is a
// configuration error with the thin-data hint, the run says once what to
// change, and the go-live reason names the checks; a violation beside it
// is still a violation.
func TestTooFewItemsIsNotAContractViolation(t *testing.T) {
	page := answer("/api/v2/list/bills", 200, "[]", time.Millisecond)
	thin := evidence.Finding{Endpoint: "list-bills (limit 4)", Expected: "at least 4 items, to judge limit 3", Observed: "0 items in 200 (application/json)",
		Facts: map[string]string{InsufficientDataFact: "set a large query"}}
	specs := allPassing("STRUCT-001")
	s := passing("STRUCT-001", "thin")
	s.state, s.msg = types.SpecStateFailed, "STRUCT-001 not judged: too few items to judge on 1 answer(s)"
	s.exchanges, s.findings = []evidence.Exchange{page}, []evidence.Finding{thin}
	specs = append(specs, s)
	doc := Build(ginkgoReport(t, specs...), testCatalogue(t), liveRun(), nil, nil)
	if doc.Verdict != VerdictConfigError || doc.Counts.ContractViolations != 0 || doc.Counts.ConfigurationErrors != 1 {
		t.Errorf("verdict %s, %d violations, %d configuration errors; want config-error, 0, 1: %s", doc.Verdict,
			doc.Counts.ContractViolations, doc.Counts.ConfigurationErrors, doc.Summary)
	}
	r := doc.Requirements[len(doc.Requirements)-1]
	for _, req := range doc.Requirements {
		if req.ID == "STRUCT-001" {
			r = req
		}
	}
	if r.Classification != ClassConfigurationError || !strings.Contains(r.Reason, "too few items") || !strings.Contains(r.Reason, "not judged") {
		t.Errorf("STRUCT-001: %s: %s", r.Classification, r.Reason)
	}
	problems := strings.Join(doc.Run.Problems, "\n")
	for _, text := range []string{doc.Summary, problems, doc.GoLive.Reason} {
		if !strings.Contains(text, "too few items") || !strings.Contains(text, "WINSTON_CATALOGUE") || !strings.Contains(text, "STRUCT-001") {
			t.Errorf("the summary, the run's problems and the go-live reason must name the cause, the fix and the check: %q", text)
		}
	}
	if strings.Contains(doc.GoLive.Reason, "nothing was checked") {
		t.Errorf("checks ran: %q", doc.GoLive.Reason)
	}
	// In junit.xml a check not judged is an error of the run, not a
	// failure of the target.
	if root := junitOf(t, doc); root.Errors != 1 || root.Failures != 0 {
		t.Errorf("junit.xml: %d errors, %d failures; want the check not judged as 1 error and no failure", root.Errors, root.Failures)
	}
	if md := mustRender(t, doc.renderMarkdown); strings.Contains(md, "nothing was checked") || !strings.Contains(md, "some checks could not be judged") {
		t.Errorf("the headline must say some checks were not judged, not that nothing was checked:\n%.400s", md)
	}

	// Thin data beside an outage: the verdict is config-error, and neither
	// the summary nor the comparison leaves the outage out.
	timedOut, lost := noAnswer("POST "+testBase+"/api/v2/list/categories: context deadline exceeded", true)
	down := passing("SCHEMA-001", "down")
	down.state, down.msg = types.SpecStateFailed, "1 violation(s)"
	down.exchanges, down.findings = []evidence.Exchange{timedOut}, []evidence.Finding{lost}
	mixed := Build(ginkgoReport(t, append(allPassing("STRUCT-001", "SCHEMA-001"), s, down)...), testCatalogue(t), liveRun(), nil, nil)
	if mixed.Verdict != VerdictConfigError || !strings.Contains(mixed.Summary, "Besides, 1 check(s) got no usable answer") || !strings.Contains(mixed.Summary, "SCHEMA-001") {
		t.Errorf("thin data beside an outage: verdict %s, summary %q", mixed.Verdict, mixed.Summary)
	}
	pass := Build(ginkgoReport(t, allPassing()...), testCatalogue(t), liveRun(), nil, nil)
	if head := Compare(pass, mixed).headline(); !strings.HasPrefix(head, "No contract violation is new, but 1 check(s) got too few items") ||
		!strings.Contains(head, "also met an outage or throttling: 1 check(s)") {
		t.Errorf("compare of thin data beside an outage: %s", head)
	}

	// A violation elsewhere in the run is evidence either way: the verdict
	// is fail, and the summary still names the check not judged.
	v := passing("SCHEMA-001", "broken")
	v.state, v.msg = types.SpecStateFailed, "1 violation(s); first: bills: expected 200; observed 500"
	v.exchanges, v.findings = []evidence.Exchange{answer("/api/v2/bills", 500, "oops", time.Millisecond)},
		[]evidence.Finding{{Endpoint: "bills", Expected: "200", Observed: "500 (text/plain)"}}
	specs = append(allPassing("STRUCT-001", "SCHEMA-001"), s, v)
	doc = Build(ginkgoReport(t, specs...), testCatalogue(t), liveRun(), nil, nil)
	if doc.Verdict != VerdictFail || !strings.Contains(doc.Summary, "1 contract violation (SCHEMA-001)") ||
		!strings.Contains(doc.Summary, "1 check not judged for the run's setup or too few items (STRUCT-001)") {
		t.Errorf("a violation beside a check not judged: verdict %s, summary %q; want fail, naming both", doc.Verdict, doc.Summary)
	}

	// A violation with a too-few-items finding beside it (LIST-002 on a
	// tenant with 100 items or fewer): no hint claims to explain it.
	both := passing("STRUCT-001", "both")
	both.state, both.msg = types.SpecStateFailed, "1 violation(s)"
	both.exchanges = []evidence.Exchange{page}
	both.findings = []evidence.Finding{thin, {Endpoint: "list-bills", Expected: "exactly 80 items", Observed: "50 items"}}
	doc = Build(ginkgoReport(t, append(allPassing("STRUCT-001"), both)...), testCatalogue(t), liveRun(), nil, nil)
	if doc.Verdict != VerdictFail || len(doc.Run.Problems) != 0 {
		t.Errorf("a violation beside too few items: verdict %s, problems %q; want fail and no hint", doc.Verdict, doc.Run.Problems)
	}

	violationBeside(t, "too few items", page, thin)
}

// Two setup causes in one run: the summary sentence names the first
// hint with only the checks it explains, and the run's problems give each
// hint with its own checks.
func TestTwoSetupHintsAreEachNamedWithTheirChecks(t *testing.T) {
	ex, caFinding := noAnswer("POST "+testBase+"/api/v2/bills: tls: failed to verify certificate: x509: certificate signed by unknown authority", false)
	ca := passing("STRUCT-001", "ca")
	ca.state, ca.msg = types.SpecStateFailed, "1 violation(s)"
	ca.exchanges, ca.findings = []evidence.Exchange{ex}, []evidence.Finding{caFinding}
	thin := passing("SCHEMA-001", "thin")
	thin.state, thin.msg = types.SpecStateFailed, "SCHEMA-001 not judged: too few items"
	thin.exchanges = []evidence.Exchange{answer("/api/v2/list/bills", 200, "[]", time.Millisecond)}
	thin.findings = []evidence.Finding{{Endpoint: "list-bills", Expected: "at least 1 item", Observed: "0 items",
		Facts: map[string]string{InsufficientDataFact: "add bills"}}}
	doc := Build(ginkgoReport(t, append(allPassing("STRUCT-001", "SCHEMA-001"), ca, thin)...), testCatalogue(t), liveRun(), nil, nil)
	if doc.Verdict != VerdictConfigError || len(doc.Run.Problems) != 2 {
		t.Fatalf("verdict %s, problems %q; want config-error and two hints", doc.Verdict, doc.Run.Problems)
	}
	problems := strings.Join(doc.Run.Problems, "\n")
	if !strings.Contains(problems, "WINSTON_CA_FILE") || !strings.Contains(problems, "(explains the failures of STRUCT-001)") ||
		!strings.Contains(problems, "too few items") || !strings.Contains(problems, "(explains the failures of SCHEMA-001)") {
		t.Errorf("each hint with its own checks: %q", doc.Run.Problems)
	}
	first, other := "STRUCT-001", "SCHEMA-001"
	if strings.Contains(doc.Summary, "too few items") {
		first, other = other, first
	}
	if !strings.Contains(doc.Summary, first) || strings.Contains(doc.Summary, other) {
		t.Errorf("the summary names one hint with only its checks (%s, not %s): %s", first, other, doc.Summary)
	}
}

// A TLS check that got an answer about the contract (an old version
// allowed, a certificate expired) is judged on it while the HTTP API is
// down, and a certificate the client refuses is no outage at all: the run
// fails, it is not 'unavailable'.
func TestATLSViolationStandsWhenTheAPIIsDown(t *testing.T) {
	down := answer("/api/v2/bills", 503, "Service Unavailable", time.Millisecond)
	down.Unavailable = true
	var specs []fakeSpec
	for _, s := range allPassing("TRANS-004") {
		s.state, s.msg = types.SpecStateFailed, "not judged: outage answers"
		s.exchanges = []evidence.Exchange{down}
		s.findings = []evidence.Finding{{Endpoint: "bills", Expected: "200", Observed: "503 (text/plain)", OK: true,
			Facts: map[string]string{UnavailableFact: "503", NotJudgedFact: "unavailable"}}}
		specs = append(specs, s)
	}
	expired := fakeSpec{text: "TRANS-004 a valid certificate", state: types.SpecStateFailed, msg: "1 violation(s); first: certificate has expired",
		findings: []evidence.Finding{{Expected: "a certificate that verifies", Observed: evidence.HandshakeFailedPrefix + "tls: failed to verify certificate: x509: certificate has expired"}}}
	doc := Build(ginkgoReport(t, append(specs, expired)...), testCatalogue(t), liveRun(), nil, nil)
	for _, r := range doc.Requirements {
		if r.ID == "TRANS-004" && r.Classification != ClassContractViolation {
			t.Errorf("TRANS-004 with the API down: %s: %s", r.Classification, r.Reason)
		}
	}
	if doc.Verdict != VerdictFail || strings.HasPrefix(doc.Summary, "No contract verdict") {
		t.Errorf("verdict %s: %s; want fail", doc.Verdict, doc.Summary)
	}
	// Every request refused by the client for a certificate it does not
	// trust: no outage.
	if runWasUnavailable([]evidence.Exchange{{Method: "POST", URL: testBase + "/api/v2/bills", Error: "x509: certificate has expired"}}) {
		t.Error("a certificate the client refused was taken for an outage")
	}
}

// With the key refused everywhere, a check that passed on 401s to the key
// (ERR-001's "a 4xx" for malformed JSON) judged nothing of its rule; one
// that judged the refusal's body, or sent no key, stands.
func TestAPassOnTheRefusedKeys401sIsNotJudged(t *testing.T) {
	rejected := answer("/api/v2/bills", 401, "Unauthorized", time.Millisecond)
	none := rejected
	none.AuthShape = "none"
	var specs []fakeSpec
	for _, s := range allPassing("AUTH-002", "ERR-004") {
		s.state, s.msg = types.SpecStateFailed, "1 violation(s)"
		s.exchanges = []evidence.Exchange{rejected}
		s.findings = []evidence.Finding{{Endpoint: "bills", Expected: "200", Observed: "401 (text/plain)"}}
		specs = append(specs, s)
	}
	vacuous := passing("ERR-004", "an unknown route gets 404")
	vacuous.exchanges = []evidence.Exchange{rejected}
	vacuous.findings = []evidence.Finding{{Endpoint: "bills", Expected: "a 4xx for a body that is not JSON (never 2xx, never 5xx)", Observed: "401 (text/plain)", OK: true}}
	keyless := passing("AUTH-002", "a missing Authorization header gets 401")
	keyless.exchanges = []evidence.Exchange{none}
	keyless.findings = []evidence.Finding{{Endpoint: "bills (none)", Expected: "401", Observed: "401 (text/plain)", OK: true}}
	doc := Build(ginkgoReport(t, append(specs, vacuous, keyless)...), testCatalogue(t), liveRun(), nil, nil)
	for _, r := range doc.Requirements {
		switch r.ID {
		case "ERR-004":
			if r.Status != StatusFailed || r.Classification != ClassConfigurationError || !strings.Contains(r.Reason, "say nothing of this rule") {
				t.Errorf("ERR-004 passed on the refused key's 401s: %s %s: %s", r.Status, r.Classification, r.Reason)
			}
		case "AUTH-002":
			if r.Status != StatusPassed {
				t.Errorf("AUTH-002 sent no key; its pass stands: %s %s: %s", r.Status, r.Classification, r.Reason)
			}
		}
	}
}

// A wrong app name may get 403 (the contract allows it, AUTH-005): a run
// in which every request with the key got 403 is a configuration error
// naming the key and app name, as with 401s, never a contract failure.
func TestA403OnEveryCallWithTheKeyHintsAtTheKeyOrAppName(t *testing.T) {
	refused := answer("/api/v2/bills", 403, "Forbidden: unknown app", 10*time.Millisecond)
	f := evidence.Finding{Endpoint: "bills", Expected: "200", Observed: "403 (text/plain)"}
	var specs []fakeSpec
	for _, s := range allPassing() {
		s.state, s.msg = types.SpecStateFailed, "1 violation(s)"
		s.exchanges, s.findings = []evidence.Exchange{refused}, []evidence.Finding{f}
		specs = append(specs, s)
	}
	doc := Build(ginkgoReport(t, specs...), testCatalogue(t), liveRun(), nil, nil)
	if doc.Verdict != VerdictConfigError || !strings.Contains(strings.Join(doc.Run.Problems, "\n"), "WINSTON_APP_NAME") {
		t.Errorf("verdict %s, want config-error with a hint at the app name: %s / %q", doc.Verdict, doc.Summary, doc.Run.Problems)
	}
	if r := doc.Requirements[0]; r.Classification != ClassConfigurationError {
		t.Errorf("%s: %s: %s", r.ID, r.Classification, r.Reason)
	}
}

// A run whose unanswered requests all timed out on the client's side says
// the environment may be slow and names WINSTON_TIMEOUT; its reasons count
// no violation.
func TestTimeoutsAloneHintAtWinstonTimeout(t *testing.T) {
	slow := answer("/api/v2/bills", 0, "", 15*time.Second)
	slow.Error, slow.Unavailable = `POST https://api-qa.example.test/api/v2/bills: context deadline exceeded`, true
	f := evidence.Finding{Endpoint: "bills", Expected: "200", Observed: evidence.NoAnswerPrefix + slow.Error}
	outage := answer("/api/v2/bills", 503, "down", time.Millisecond)
	outage.Unavailable = true
	down := evidence.Finding{Endpoint: "bills", Expected: "200", Observed: "503", OK: true,
		Facts: map[string]string{UnavailableFact: "503", NotJudgedFact: "unavailable"}}
	var specs []fakeSpec
	// A TLS handshake that ran out of time is a timeout too.
	handshake := slow
	handshake.Error = `POST https://api-qa.example.test/api/v2/bills: net/http: TLS handshake timeout`
	for i, s := range allPassing() {
		s.state, s.msg = types.SpecStateFailed, "1 violation(s); first: bills: expected 200"
		s.exchanges, s.findings = []evidence.Exchange{slow}, []evidence.Finding{f}
		if i == 2 {
			s.exchanges = []evidence.Exchange{handshake}
		}
		if i == 1 {
			// This one met a 503, not a timeout: the hint is not its.
			s.exchanges, s.findings = []evidence.Exchange{outage}, []evidence.Finding{down}
		}
		specs = append(specs, s)
	}
	doc := Build(ginkgoReport(t, specs...), testCatalogue(t), liveRun(), nil, nil)
	problems := strings.Join(doc.Run.Problems, "\n")
	if doc.Verdict != VerdictUnavailable || !strings.Contains(problems, "WINSTON_TIMEOUT") {
		t.Errorf("verdict %s, problems %q: want unavailable with a hint at WINSTON_TIMEOUT", doc.Verdict, doc.Run.Problems)
	}
	if id := doc.Requirements[1].ID; strings.Contains(problems, id+",") || strings.Contains(problems, id+" were") {
		t.Errorf("the timeout hint names %s, which met a 503: %s", id, problems)
	}
	if r := doc.Requirements[0]; strings.Contains(r.Reason, "violation(s)") {
		t.Errorf("an unanswered requirement counts violations: %s", r.Reason)
	}
}

// Every endpoint down is no partial outage, though the host's own row
// and the unknown route of ERR-004 are never down: the summary must not
// say the other endpoints answered.
func TestEveryEndpointDownIsNoPartialOutage(t *testing.T) {
	var specs []fakeSpec
	for _, s := range allPassing() {
		var exchanges []evidence.Exchange
		var findings []evidence.Finding
		for _, ep := range []struct{ id, path string }{{"bills", "/api/v2/bills"}, {"categories", "/api/v2/list/categories"}, {"create-order", "/api/v2/tables/order"}} {
			ex := answer(ep.path, 503, "down", time.Millisecond)
			ex.Unavailable = true
			exchanges = append(exchanges, ex)
			findings = append(findings, evidence.Finding{Endpoint: ep.id, Expected: "200", Observed: "503", OK: true,
				Facts: map[string]string{UnavailableFact: "503", NotJudgedFact: "unavailable"}})
		}
		s.state, s.msg = types.SpecStateFailed, "not judged"
		s.exchanges, s.findings = exchanges, findings
		specs = append(specs, s)
	}
	doc := Build(ginkgoReport(t, specs...), testCatalogue(t), liveRun(), nil, nil)
	if strings.Contains(doc.Summary, "Only part") {
		t.Errorf("every endpoint down read as a partial outage: %s", doc.Summary)
	}
}

// An endpoint that answered other requests of the run was not down, though
// one request to it got a 502: the summary must not say it did not answer.
func TestAnEndpointThatAnsweredIsNotDown(t *testing.T) {
	crash := answer("/api/v2/tables/order", 502, "Bad Gateway", time.Millisecond)
	crash.Unavailable = true
	placed := answer("/api/v2/tables/order", 200, `{"number":12}`, time.Millisecond)
	s := passing("STRUCT-001", "POST with a JSON body is answered with JSON")
	s.state, s.msg = types.SpecStateFailed, "not judged"
	s.exchanges = []evidence.Exchange{crash}
	s.findings = []evidence.Finding{{Endpoint: "create-order", Expected: "a 4xx", Observed: "502", OK: true,
		Facts: map[string]string{UnavailableFact: "502", NotJudgedFact: "unavailable"}}}
	order := passing("ORDER-001", "an order on a known table is placed")
	order.exchanges = []evidence.Exchange{placed}
	doc := Build(ginkgoReport(t, append(allPassing("ORDER-001", "STRUCT-001"), order, s)...), testCatalogue(t), liveRun(), nil, nil)
	if doc.Counts.EnvironmentUnavailable != 1 {
		t.Fatalf("want STRUCT-001 unavailable: %s", doc.Summary)
	}
	if strings.Contains(doc.Summary, "did not answer") {
		t.Errorf("an endpoint that placed an order is said not to answer: %s", doc.Summary)
	}
}

// A refused key is still seen through an outage, throttling or a 404 at a
// path the router refused before reading the key: those answers say
// nothing of the key, and must not turn its refusals into violations.
func TestARefusedKeyIsSeenThroughOutagesAnd404s(t *testing.T) {
	rejected := answer("/api/v2/bills", 401, "Unauthorized", 10*time.Millisecond)
	down := answer("/api/v2/list/revenueGroups", 503, "down", 10*time.Millisecond)
	down.Unavailable = true
	throttled := answer("/api/v2/tables", 429, "slow down", 10*time.Millisecond)
	missing := answer("/api/v2/list/products", 404, "no route", 10*time.Millisecond)
	f := evidence.Finding{Endpoint: "bills", Expected: "200", Observed: "401 (text/plain)"}
	// The 404 at the guessed path is a finding of its own, as AUTH-001's
	// would be: not the key's, and no violation either.
	guessed := evidence.Finding{Endpoint: "products", Expected: "200", Observed: "404 (text/plain)",
		Facts: map[string]string{GuessedPathFact: "the target has no route at /api/v2/list/products, a path the catalogue only guessed"}}
	var specs []fakeSpec
	for _, s := range allPassing() {
		s.state, s.msg = types.SpecStateFailed, "1 violation(s)"
		s.exchanges, s.findings = []evidence.Exchange{rejected, down, throttled, missing}, []evidence.Finding{f, guessed}
		specs = append(specs, s)
	}
	doc := Build(ginkgoReport(t, specs...), testCatalogue(t), liveRun(), nil, nil)
	if doc.Verdict != VerdictConfigError || doc.Counts.ContractViolations != 0 {
		t.Errorf("verdict %s with %d violations: %s", doc.Verdict, doc.Counts.ContractViolations, doc.Summary)
	}
}

// A host that answers 404 to everything (a wrong WINSTON_BASE_URL, a load
// balancer's default backend) is a setup error naming WINSTON_BASE_URL:
// no check fails as a violation, and none passes on its 404s.
func TestEvery404IsNotTheAPI(t *testing.T) {
	missing := answer("/api/v2/bills", 404, "<html>Not Found</html>", 10*time.Millisecond)
	f := evidence.Finding{Endpoint: "bills", Expected: "200", Observed: "404 (text/html)"}
	var specs []fakeSpec
	for i, s := range allPassing() {
		s.exchanges = []evidence.Exchange{missing}
		if i%2 == 0 {
			s.state, s.msg = types.SpecStateFailed, "1 violation(s)"
			s.findings = []evidence.Finding{f}
		}
		specs = append(specs, s)
	}
	doc := Build(ginkgoReport(t, specs...), testCatalogue(t), liveRun(), nil, nil)
	if doc.Verdict != VerdictConfigError || doc.Counts.ContractViolations != 0 || doc.Counts.Passed != 0 {
		t.Errorf("verdict %s, %d violations, %d passed: %s", doc.Verdict, doc.Counts.ContractViolations, doc.Counts.Passed, doc.Summary)
	}
	if !strings.Contains(strings.Join(doc.Run.Problems, "\n"), "WINSTON_BASE_URL") {
		t.Errorf("no hint at WINSTON_BASE_URL: %q", doc.Run.Problems)
	}
}

// A request that failed on the certificate is left unjudged only when
// TRANS-004 failed on it in the same run; where TRANS-004 passed (one
// stale backend behind a load balancer), the refusal is the target's
// answer.
func TestACertificateRefusalIsExcusedOnlyBesideTRANS004(t *testing.T) {
	refused := answer("/api/v2/bills", 0, "", time.Millisecond)
	refused.Error = "tls: failed to verify certificate: x509: certificate has expired or is not yet valid"
	f := evidence.Finding{Endpoint: "bills", Expected: "200", Observed: evidence.NoAnswerPrefix + refused.Error}
	structFailed := passing("STRUCT-001", "POST with a JSON body is answered with JSON")
	structFailed.state, structFailed.msg = types.SpecStateFailed, "1 violation(s)"
	structFailed.exchanges, structFailed.findings = []evidence.Exchange{refused}, []evidence.Finding{f}
	doc := Build(ginkgoReport(t, append(allPassing("STRUCT-001"), structFailed)...), testCatalogue(t), liveRun(), nil, nil)
	if doc.Verdict != VerdictFail {
		t.Errorf("TRANS-004 passed, a connection refused the certificate: verdict %s, want fail: %s", doc.Verdict, doc.Summary)
	}
	certFailed := passing("TRANS-004", "a valid certificate")
	certFailed.state, certFailed.msg = types.SpecStateFailed, "1 violation(s)"
	certFailed.exchanges, certFailed.findings = nil, []evidence.Finding{{Expected: "a certificate that verifies", Observed: evidence.HandshakeFailedPrefix + refused.Error}}
	doc = Build(ginkgoReport(t, append(allPassing("STRUCT-001", "TRANS-004"), structFailed, certFailed)...), testCatalogue(t), liveRun(), nil, nil)
	for _, r := range doc.Requirements {
		// The checks that could not talk to the API are left unjudged:
		// the environment could not be used, and the fault is the
		// certificate's, which TRANS-004 reports.
		want := ClassEnvironmentUnavailable
		if r.ID == "TRANS-004" {
			want = ClassContractViolation
		}
		if (r.ID == "STRUCT-001" || r.ID == "TRANS-004") && r.Classification != want {
			t.Errorf("%s beside TRANS-004's failure: %s, want %s", r.ID, r.Classification, want)
		}
	}
}

// A plain-HTTP redirector answers whatever the HTTPS service behind it
// does: its 308 does not make a down endpoint one that answered.
func TestARedirectDoesNotHideADownEndpoint(t *testing.T) {
	down := answer("/api/v2/tables/order", 503, "Service Unavailable", time.Millisecond)
	down.Unavailable = true
	redirect := answer("/api/v2/tables/order", 308, "", time.Millisecond)
	redirect.URL, redirect.AuthShape = strings.Replace(redirect.URL, "https://", "http://", 1), "none"
	s := passing("STRUCT-001", "POST with a JSON body is answered with JSON")
	s.state, s.msg = types.SpecStateFailed, "not judged"
	s.exchanges = []evidence.Exchange{down, redirect}
	s.findings = []evidence.Finding{{Endpoint: "create-order", Expected: "200", Observed: "503", OK: true,
		Facts: map[string]string{UnavailableFact: "503", NotJudgedFact: "unavailable"}}}
	doc := Build(ginkgoReport(t, append(allPassing("STRUCT-001"), s)...), testCatalogue(t), liveRun(), nil, nil)
	if !strings.Contains(doc.Summary, "create-order (503) did not answer") {
		t.Errorf("a redirect hid the endpoint that was down: %s", doc.Summary)
	}
}

// 429s to bad credentials alone are brute-force protection: the hint says
// so, not only "lower the rate".
func TestThrottledBadCredentialsAloneSayWhatTheyAre(t *testing.T) {
	slow := answer("/api/v2/bills", 429, "Too Many Requests", time.Millisecond)
	slow.AuthShape = "wrong-key"
	throttled := evidence.Finding{Endpoint: "bills", Expected: "401", Observed: "429", OK: true,
		Facts: map[string]string{ThrottledFact: "429", NotJudgedFact: "throttled"}}
	s := passing("AUTH-002", "a missing Authorization header gets 401")
	s.state, s.msg = types.SpecStateFailed, "not judged"
	s.exchanges, s.findings = []evidence.Exchange{slow}, []evidence.Finding{throttled}
	doc := Build(ginkgoReport(t, append(allPassing("AUTH-002"), s)...), testCatalogue(t), liveRun(), nil, nil)
	if p := strings.Join(doc.Run.Problems, "\n"); !strings.Contains(p, "guessing keys") {
		t.Errorf("problems: %q", doc.Run.Problems)
	}
}

// A violation on a 404 to the order route's example, which names the
// catalogue's plan and table, may be a plan the tenant lacks: the run's
// problems say which fixtures to check before the failures go to Winston.
// A 404 to another request says nothing of the fixtures.
func TestA404ToTheOrderExampleNamesTheFixtures(t *testing.T) {
	placed := answer("/api/v2/tables/order", 404, `{"message":"plan not found"}`, 10*time.Millisecond)
	placed.RequestBody = `{"number":12,"paid":false,"plan_id":"plan-main"}`
	failing := fakeSpec{text: "ORDER-001 an order on a known table is placed", state: types.SpecStateFailed, msg: "1 violation(s); first: create-order: expected 200, got 404",
		exchanges: []evidence.Exchange{placed}, findings: []evidence.Finding{{Endpoint: "create-order", Expected: "200", Observed: "404"}}}
	doc := Build(ginkgoReport(t, append(allPassing("ORDER-001"), failing)...), testCatalogue(t), liveRun(), nil, nil)
	problems := strings.Join(doc.Run.Problems, "\n")
	if !strings.Contains(problems, `fixtures.planId "plan-main"`) || !strings.Contains(problems, "ORDER-001") {
		t.Errorf("no fixture hint: %q", doc.Run.Problems)
	}
	other := answer("/api/v2/tables/order", 404, `{}`, 10*time.Millisecond)
	other.RequestBody = `{"number":12,"paid":false,"plan_id":"plan-does-not-exist"}`
	failing.exchanges = []evidence.Exchange{other}
	doc = Build(ginkgoReport(t, append(allPassing("ORDER-001"), failing)...), testCatalogue(t), liveRun(), nil, nil)
	if strings.Contains(strings.Join(doc.Run.Problems, "\n"), "fixtures.planId") {
		t.Errorf("a 404 to another request was taken for the fixtures': %q", doc.Run.Problems)
	}
}
