package report

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"
	"github.com/xeipuuv/gojsonschema"

	"github.com/winston-conformance/winston-conformance/harness/evidence"
)

// These tests read the report as the Winston engineer who gets it with a
// go-live request: every status in words, a throttled or partly judged
// check never mistaken for a pass or a violation, the fix next to each
// failure, and the sandbox disclaimer in every file.

// reviewerDoc is a sandbox run with one of each thing a reviewer must tell
// apart: a MUST violation that needs re-recording, an advisory SHOULD, a
// throttled check, a pass that left an endpoint not judged, a known issue
// and a requirement that was not run.
func reviewerDoc() *Document {
	sandboxReason := "Not valid for submission: the answers came from the local Winston sandbox, not the real Winston API. " +
		"Run the suite in live mode against the Winston test environment for a report you can submit."
	return &Document{
		SchemaVersion: SchemaVersion, Verdict: VerdictFail, Mode: "live",
		GoLive:  GoLive{Verdict: GoLiveNotValidForSubmission, Reason: sandboxReason},
		Summary: "1 contract violation against the local Winston sandbox (not the real Winston API).",
		Run:     Run{Mode: "live", Sandbox: true, Command: "go tool ginkgo ./suites"},
		Target:  Target{BaseURL: testBase},
		Requirements: []Requirement{
			{ID: "AUTH-002", Title: "a missing header gets 401", Must: "A request without Authorization MUST get 401.",
				Source: "mission", Level: "must", Status: StatusFailed, Classification: ClassConfigurationError,
				Reason: "configuration error: the cassettes hold no answer for this check's requests; re-record (make record FOCUS=AUTH-002)",
				Focus:  "go tool ginkgo --focus 'AUTH-002' ./suites",
				Evidence: Evidence{Expected: "401", Observed: "no answer: replay miss",
					Findings: []evidence.Finding{{Endpoint: "bills", Expected: "401", Observed: "no answer: replay miss"}}}},
			{ID: "TRANS-002", Title: "the redirect keeps the method", Must: "The redirect of a POST SHOULD be 307 or 308.",
				Source: "inferred", Level: "should", Status: StatusFailed, Classification: ClassContractViolation, Advisory: true,
				Reason: "1 violation(s); first: bills: expected 307 or 308; observed 301", Focus: "ginkgo --focus 'TRANS-002'",
				Evidence: Evidence{Expected: "307 or 308", Observed: "301"}},
			{ID: "ERR-007", Title: "an unknown sort field is refused", Must: "An unknown sort field SHOULD get 400.",
				Source: "docs", Level: "should", Status: StatusFailed, Classification: ClassEnvironmentUnavailable,
				Reason: "environment unavailable: ERR-007 not judged: the target throttled the run",
				Evidence: Evidence{Findings: []evidence.Finding{{Endpoint: "bills", OK: true, Expected: "400", Observed: "429",
					Facts: map[string]string{NotJudgedFact: "429 after the client's retries", ThrottledFact: "429"}}}}},
			{ID: "ERR-006", Title: "errors have a JSON body", Must: "Every 4xx MUST carry a JSON body.",
				Source: "docs", Level: "must", Status: StatusPassed,
				Evidence: Evidence{Findings: []evidence.Finding{
					{Endpoint: "bills", OK: true, Expected: "a JSON body", Observed: "401 (application/json)"},
					{Endpoint: "tables", OK: true, Expected: "a 4xx to read", Observed: "200",
						Facts: map[string]string{NotJudgedFact: "not a 4xx: its status is judged by the status checks"}}}}},
			{ID: "STRUCT-001", Title: "JSON answers", Must: "Answers MUST be JSON.", Source: "mission", Level: "must",
				Status: StatusKnownIssue, Classification: ClassKnownVendorIssue, Reason: "known vendor issue (ticket 1)"},
			{ID: "ORDER-001", Title: "an order is placed", Must: "An order MUST be placed.", Source: "docs", Level: "must",
				Status: StatusNotRun, Reason: NotSelectedReason},
		},
	}
}

func TestMarkdownFailureCarriesItsReasonWithTheFix(t *testing.T) {
	md := mustRender(t, reviewerDoc().renderMarkdown)
	section := md[strings.Index(md, "### AUTH-002"):]
	section = section[:strings.Index(section[4:], "### ")+4]
	if !strings.Contains(section, "make record FOCUS=AUTH-002") {
		t.Errorf("the AUTH-002 failure in report.md does not say how to fix it (its reason), got:\n%s", section)
	}
}

func TestMarkdownNotValidBannerSaysItOnce(t *testing.T) {
	md := mustRender(t, reviewerDoc().renderMarkdown)
	line := md[strings.Index(md, "> "):]
	line = line[:strings.Index(line, "\n")]
	if n := strings.Count(strings.ToLower(line), "not valid for submission"); n != 1 {
		t.Errorf("the not-valid banner says \"not valid for submission\" %d times, want once:\n%s", n, line)
	}
	if !strings.Contains(line, "submission.** The answers came") {
		t.Errorf("the not-valid banner's reason does not start a sentence:\n%s", line)
	}
}

func TestStatusesAreShownInAReviewersWords(t *testing.T) {
	d := reviewerDoc()
	md := mustRender(t, d.renderMarkdown)
	html := mustHTML(t, d)
	for id, want := range map[string]string{
		"AUTH-002": "configuration error", "TRANS-002": "advisory (SHOULD)", "ERR-007": "throttled",
		"ERR-006": "passed, partly not judged", "STRUCT-001": "known vendor issue", "ORDER-001": "not run",
	} {
		if !strings.Contains(md, "| "+id+" |") || !strings.Contains(rowOf(md, "| "+id+" |"), "| "+want+" |") {
			t.Errorf("report.md's row of %s does not show the status %q:\n%s", id, want, rowOf(md, "| "+id+" |"))
		}
		if !strings.Contains(html, `">`+want+`</span> <strong>`+id+`</strong>`) {
			t.Errorf("report.html's badge of %s does not say %q", id, want)
		}
	}
	for _, internal := range []string{"| not-run |", "| known-issue |", ">not-run<", ">known-issue<", ">failed</span> <strong>TRANS-002"} {
		if strings.Contains(md, internal) || strings.Contains(html, internal) {
			t.Errorf("an internal status name %q is shown to the reviewer", internal)
		}
	}
}

func TestThrottledCheckIsNamedThrottledNotJustUnavailable(t *testing.T) {
	d := reviewerDoc()
	if got := classLabel(d.Requirements[2]); !strings.Contains(got, "throttled") {
		t.Errorf("classLabel of a throttled check = %q, want it to say throttled", got)
	}
	if got := classLabel(Requirement{Status: StatusFailed, Classification: ClassEnvironmentUnavailable}); strings.Contains(got, "throttled") {
		t.Errorf("classLabel of an outage = %q, must not say throttled", got)
	}
}

func TestPassWithNotJudgedEndpointsSaysWhichAndWhy(t *testing.T) {
	d := reviewerDoc()
	md, html := mustRender(t, d.renderMarkdown), mustHTML(t, d)
	const why = "tables: not a 4xx: its status is judged by the status checks"
	if !strings.Contains(rowOf(md, "| ERR-006 |"), why) {
		t.Errorf("report.md's ERR-006 row does not say which endpoint was not judged and why:\n%s", rowOf(md, "| ERR-006 |"))
	}
	if !strings.Contains(html, why) {
		t.Errorf("report.html does not say which endpoint of ERR-006 was not judged and why")
	}
	if !strings.Contains(html, `<details class="req partly" id="req-ERR-006">`) {
		t.Errorf("report.html colours ERR-006, partly not judged, like a plain pass")
	}
	for _, word := range []string{"throttled", "partly not judged", "advisory"} {
		if !strings.Contains(html[strings.Index(html, `class="legend-box"`):strings.Index(html, `id="checks"`)], word) {
			t.Errorf("report.html's how-to-read box does not explain %q", word)
		}
	}
}

func mustHTML(t *testing.T, d *Document) string {
	t.Helper()
	return mustRender(t, func() ([]byte, error) { return d.renderHTML(nil) })
}

// rowOf is the last line of text that starts with prefix (the "All
// requirements" table comes last in report.md).
func rowOf(text, prefix string) string {
	row := ""
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, prefix) {
			row = l
		}
	}
	return row
}

func TestHTMLCountsSplitFailuresByKind(t *testing.T) {
	d := reviewerDoc()
	d.Counts = Counts{Passed: 1, Failed: 3, ContractViolations: 0, Advisory: 1, EnvironmentUnavailable: 1, ConfigurationErrors: 1, Total: 6}
	html := mustHTML(t, d)
	const want = "3 failed (0 contract violations, 1 advisory SHOULD, 1 environment unavailable, 1 configuration errors)"
	if !strings.Contains(html, want) {
		t.Errorf("report.html's counts do not split the failures by kind: want %q", want)
	}
}

// A coverage cell decided by a throttled check says throttled, not outage,
// and the report.json that carries it still validates.
func TestCoverageCellOfAThrottledCheckSaysThrottled(t *testing.T) {
	specs := append(allPassing("AUTH-002"), fakeSpec{text: "AUTH-002 a missing Authorization header gets 401",
		state: types.SpecStateFailed, msg: "AUTH-002 not judged: the target throttled the run",
		exchanges: []evidence.Exchange{answer("/api/v2/bills", 429, `{"error":"Too Many Requests"}`, time.Millisecond)},
		findings: []evidence.Finding{{Endpoint: "bills", OK: true, Expected: "401", Observed: "429",
			Facts: map[string]string{NotJudgedFact: "throttled", ThrottledFact: "429"}}}})
	d := Build(ginkgoReport(t, specs...), testCatalogue(t), liveRun(), nil, nil)
	found := false
	for i, e := range d.Coverage.Endpoints {
		for j, c := range d.Coverage.Cells[i] {
			if e.ID == "bills" && d.Coverage.Families[j] == "auth" {
				found = true
				if got := cellLabel(c); got != "throttled" {
					t.Errorf("bills/auth, decided by throttled AUTH-002: cell label %q, want throttled", got)
				}
			}
		}
	}
	if !found {
		t.Fatal("no bills/auth cell")
	}
	dir := t.TempDir()
	if err := d.Write(dir, nil); err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(filepath.Join(dir, JSONFile))
	res, err := loadReportSchema(t).Validate(gojsonschema.NewReferenceLoader("file://" + filepath.ToSlash(abs)))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range res.Errors() {
		t.Errorf("report.json against the schema: %s: %s: %s", e.Field(), e.Type(), e.Description())
	}
}
