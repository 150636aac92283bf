package report

import (
	"fmt"
	"github.com/winston-conformance/winston-conformance/harness/catalogue"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/winston-conformance/winston-conformance/harness/evidence"
)

// baselineAndCurrent are two synthetic nightly runs: the current one has a
// new failure, a fix, new skips, a status-code change, slower and faster
// endpoints and every kind of shape drift.
func baselineAndCurrent(t *testing.T) (*Document, *Document) {
	t.Helper()
	advisory := fakeSpec{text: "STRUCT-003 a refused method gets 405 with Allow POST", state: types.SpecStateFailed, msg: "got 404",
		exchanges: []evidence.Exchange{answer("/api/v2/bills", 404, "{}", 10*time.Millisecond)}}
	auth := func(status int) fakeSpec {
		s := passing("AUTH-002", "a missing Authorization header gets 401")
		s.exchanges = []evidence.Exchange{answer("/api/v2/bills", status, "", 10*time.Millisecond)}
		s.exchanges[0].AuthShape = "none"
		if status != 401 {
			s.state, s.msg = types.SpecStateFailed, "expected 401, got 200"
		}
		return s
	}
	base := Build(ginkgoReport(t, append(allPassing("STRUCT-003", "AUTH-002"), advisory, auth(401))...), testCatalogue(t), liveRun(), nil, nil)
	base.Shapes = map[string]Shape{
		"bills":      {"$": {"array"}, "[]": {"object"}, "[].total": {"number"}, "[].note": {"string"}, "[].discount": {"number"}},
		"categories": {"$": {"array"}},
	}
	base.Latency = map[string]LatencyStats{"bills": {P50Ms: 40, P95Ms: 50, Count: 20}, "categories": {P50Ms: 90, P95Ms: 200, Count: 20},
		"tables": {P50Ms: 10, P95Ms: 12, Count: 5}}

	skipped := fakeSpec{text: "ORDER-001 an order on a known table is placed", state: types.SpecStateSkipped, msg: "mutations are off"}
	run := liveRun()
	run.Start = run.Start.Add(24 * time.Hour)
	cur := Build(ginkgoReport(t, append(allPassing("STRUCT-003", "AUTH-002", "ORDER-001", "ERR-004"),
		passing("STRUCT-003", "a refused method gets 405 with Allow POST"), auth(200), skipped)...), testCatalogue(t), run, nil, nil)
	cur.Shapes = map[string]Shape{
		"bills":    {"$": {"array"}, "[]": {"object"}, "[].total": {"string"}, "[].discount": {"null", "number"}, "[].loyalty": {"object"}},
		"products": {"$": {"array"}},
	}
	cur.Latency = map[string]LatencyStats{"bills": {P50Ms: 120, P95Ms: 300, Count: 20}, "categories": {P50Ms: 30, P95Ms: 60, Count: 20},
		"tables": {P50Ms: 11, P95Ms: 14, Count: 5}}
	return base, cur
}

func TestCompareFindsEveryKindOfChange(t *testing.T) {
	base, cur := baselineAndCurrent(t)
	c := Compare(base, cur)
	ids := func(list []RequirementChange) []string {
		var out []string
		for _, ch := range list {
			out = append(out, ch.ID+":"+ch.Before+">"+ch.After)
		}
		return out
	}
	if got := ids(c.NewViolations); !reflect.DeepEqual(got, []string{"AUTH-002:passed>failed"}) {
		t.Errorf("new violations = %v", got)
	}
	if got := ids(c.Fixed); !reflect.DeepEqual(got, []string{"STRUCT-003:failed>passed"}) {
		t.Errorf("fixed = %v", got)
	}
	if got := ids(c.NewlySkipped); !reflect.DeepEqual(got, []string{"ORDER-001:passed>skipped", "ERR-004:passed>not-run"}) {
		t.Errorf("newly skipped = %v", got)
	}
	wantCodes := []StatusCodeChange{
		{Requirement: "AUTH-002", Endpoint: "bills", Method: "POST", AuthShape: "none", Before: []int{401}, After: []int{200}},
		{Requirement: "STRUCT-003", Endpoint: "bills", Method: "POST", AuthShape: "valid", Before: []int{404}, After: []int{200}},
	}
	if !reflect.DeepEqual(c.StatusCodes, wantCodes) {
		t.Errorf("status codes = %+v", c.StatusCodes)
	}
	trends := map[string]string{}
	for _, l := range c.Latency {
		trends[l.Endpoint] = l.Trend
	}
	if !reflect.DeepEqual(trends, map[string]string{"bills": "slower", "categories": "faster", "tables": ""}) {
		t.Errorf("latency trends = %v", trends)
	}
	var drift []string
	for _, d := range c.Drift {
		drift = append(drift, d.String())
	}
	want := []string{
		"bills: [].discount made nullable (number -> null|number)",
		"bills: [].loyalty added (object)",
		"bills: [].note removed (was string)",
		"bills: [].total changed type number -> string",
	}
	if !reflect.DeepEqual(drift, want) {
		t.Errorf("drift =\n%s\nwant\n%s", strings.Join(drift, "\n"), strings.Join(want, "\n"))
	}
	if !c.HasRegressions() {
		t.Error("a new failure is a regression")
	}
	notes := strings.Join(c.Notes, "\n")
	if !strings.Contains(notes, "no answer of categories was observed") {
		t.Errorf("notes = %s", notes)
	}
}

func TestCompareMarkdownAndTextNameEndpointFieldAndChange(t *testing.T) {
	base, cur := baselineAndCurrent(t)
	dir := t.TempDir()
	if err := base.Write(filepath.Join(dir, "base"), nil); err != nil {
		t.Fatal(err)
	}
	if err := cur.Write(filepath.Join(dir, "cur"), nil); err != nil {
		t.Fatal(err)
	}
	b, err := ReadDocument(JSONPath(filepath.Join(dir, "base")))
	if err != nil {
		t.Fatal(err)
	}
	c2, err := ReadDocument(JSONPath(filepath.Join(dir, "cur")))
	if err != nil {
		t.Fatal(err)
	}
	c := Compare(b, c2)
	md, text := c.Markdown(), c.Text()
	for _, want := range []string{"bills: `[].total` changed type number -> string", "## New contract violations (the API broke the contract) (1)",
		"AUTH-002 a missing Authorization header gets 401: passed -> failed (contract-violation)", "## Fixed (contract violations in the baseline that pass now) (1)", "## Newly skipped (2)",
		"AUTH-002 on bills (POST, auth none): 401 -> 200", "| bills | 40.0 | 120.0 | 50.0 | 300.0 | slower |"} {
		if !strings.Contains(md, want) {
			t.Errorf("compare.md lacks %q\n%s", want, md)
		}
	}
	for _, want := range []string{"bills: [].total changed type number -> string", "New contract violations (the API broke the contract) (1):", "p95 50.0 -> 300.0 slower"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q\n%s", want, text)
		}
	}
}

func TestCompareOfARunWithItselfIsQuiet(t *testing.T) {
	d := mustBuild(t, "fail")
	c := Compare(d, d)
	if c.HasRegressions() || len(c.Fixed)+len(c.Changed) != 0 || !strings.Contains(c.Markdown(), "No change from the baseline") || !strings.Contains(c.Markdown(), "still fail") {
		t.Errorf("self comparison = %+v", c)
	}
}

func TestCompareNotesDifferentTargetsAndReplays(t *testing.T) {
	a := mustBuild(t, "pass")
	b := mustBuild(t, "replay-sandbox")
	b.Latency = map[string]LatencyStats{} // a replay has no live answers
	c := Compare(a, b)
	notes := strings.Join(c.Notes, "\n")
	for _, want := range []string{"different targets", "different modes", "latency not compared"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q: %s", want, notes)
		}
	}
}

// nights are a passing night and the two ways the next one can go wrong:
// the environment down (every request refused), or the API answering
// against the contract (AUTH-001 refused with a valid key).
func nights(t *testing.T) (pass, outage, broken *Document) {
	t.Helper()
	pass = Build(ginkgoReport(t, allPassing()...), testCatalogue(t), liveRun(), nil, nil)
	ex, f := noAnswer("POST "+testBase+"/api/v2/bills: dial tcp 127.0.0.1:443: connect: connection refused", true)
	down := everyCheckFails(ex, f)
	for i := range down {
		down[i].exchanges = []evidence.Exchange{ex} // the plain-HTTP redirect is down too
	}
	outage = Build(ginkgoReport(t, down...), testCatalogue(t), liveRun(), nil, nil)
	refused := fakeSpec{text: "AUTH-001 a valid token is accepted", state: types.SpecStateFailed, msg: "expected 200, got 401",
		exchanges: []evidence.Exchange{answer("/api/v2/bills", 401, "{}", 10*time.Millisecond)},
		findings:  []evidence.Finding{{Endpoint: "bills", Expected: "200", Observed: "401"}}}
	broken = Build(ginkgoReport(t, append(allPassing("AUTH-001"), refused)...), testCatalogue(t), liveRun(), nil, nil)
	return pass, outage, broken
}

// TestCompareTellsAnOutageFromABrokenContract: a nightly reader must see
// from the headline alone whether the API broke or the environment was
// down; an outage night has no new contract violation.
func TestCompareTellsAnOutageFromABrokenContract(t *testing.T) {
	pass, outage, broken := nights(t)
	if outage.Verdict != VerdictUnavailable || broken.Verdict != VerdictFail {
		t.Fatalf("fixtures: outage night %s, broken night %s", outage.Verdict, broken.Verdict)
	}

	c := Compare(pass, outage)
	if len(c.NewViolations) != 0 || len(c.NewlyUnavailable) != len(pass.Requirements) || len(c.NewConfigErrors) != 0 {
		t.Errorf("outage night: %d new violation(s), %d newly unavailable, %d new config error(s); want 0, %d, 0",
			len(c.NewViolations), len(c.NewlyUnavailable), len(c.NewConfigErrors), len(pass.Requirements))
	}
	head := c.headline()
	for _, want := range []string{"The environment was down (outage), no contract violation is new",
		"0 new contract violation(s)", fmt.Sprintf("%d newly unavailable (outage or throttling)", len(pass.Requirements))} {
		if !strings.Contains(head, want) {
			t.Errorf("outage headline lacks %q: %s", want, head)
		}
	}
	if strings.Contains(head, "new failure") || strings.Contains(head, "broke the contract") {
		t.Errorf("an outage headline must not read as a broken contract: %s", head)
	}
	if md := c.Markdown(); !strings.Contains(md, "## Newly unavailable (outage") || strings.Contains(md, "## New contract violations") {
		t.Errorf("outage compare.md sections:\n%s", md)
	}

	c = Compare(pass, broken)
	if len(c.NewViolations) != 1 || c.NewViolations[0].ID != "AUTH-001" || len(c.NewlyUnavailable)+len(c.NewConfigErrors) != 0 {
		t.Errorf("broken night: violations %+v, unavailable %d, config %d", c.NewViolations, len(c.NewlyUnavailable), len(c.NewConfigErrors))
	}
	head = c.headline()
	for _, want := range []string{"The API broke the contract: 1 new contract violation(s) (AUTH-001)", "0 newly unavailable (outage or throttling)"} {
		if !strings.Contains(head, want) {
			t.Errorf("broken-contract headline lacks %q: %s", want, head)
		}
	}
	if text := c.Text(); !strings.Contains(text, "New contract violations (the API broke the contract) (1):") || strings.Contains(text, "Newly unavailable") {
		t.Errorf("broken-contract text sections:\n%s", text)
	}

	// The environment back up and the API broken: the checks that were
	// unavailable and now fail on an answer are new violations.
	c = Compare(outage, broken)
	if len(c.NewViolations) != 1 || c.NewViolations[0].Before != "failed (environment-unavailable)" {
		t.Errorf("outage then broken: new violations %+v", c.NewViolations)
	}
}

// A night after an outage fixed nothing in the API: the checks that could
// not be judged are judged again, and compare says so apart from fixes.
func TestCompareDoesNotCallTheEndOfAnOutageAFix(t *testing.T) {
	pass, outage, broken := nights(t)
	c := Compare(outage, pass)
	if len(c.Fixed) != 0 || len(c.Recovered) != len(pass.Requirements) {
		t.Errorf("after an outage: %d fixed, %d recovered; want 0 and %d", len(c.Fixed), len(c.Recovered), len(pass.Requirements))
	}
	head := c.headline()
	if !strings.Contains(head, fmt.Sprintf("%d judged again", len(pass.Requirements))) || strings.Contains(head, " fixed") && !strings.Contains(head, "0 fixed") {
		t.Errorf("after-outage headline: %s", head)
	}
	if md := c.Markdown(); !strings.Contains(md, "## Judged again (") || strings.Contains(md, "## Fixed") {
		t.Errorf("after-outage compare.md sections:\n%s", md)
	}
	// A violation that is gone is a fix.
	if c = Compare(broken, pass); len(c.Fixed) != 1 || c.Fixed[0].ID != "AUTH-001" || len(c.Recovered) != 0 {
		t.Errorf("broken then passing: fixed %+v, recovered %+v", c.Fixed, c.Recovered)
	}
}

// A check that passed last night and tonight got too few items is no setup
// mistake and no broken contract: the nightly reader is told the data
// shrank (or the target drops items), apart from configuration errors.
func TestCompareTellsThinDataFromASetupMistake(t *testing.T) {
	pass, _, _ := nights(t)
	thin := fakeSpec{text: "STRUCT-001 thin", state: types.SpecStateFailed, msg: "STRUCT-001 not judged: too few items to judge on 1 answer(s)",
		exchanges: []evidence.Exchange{answer("/api/v2/list/bills", 200, "[]", time.Millisecond)},
		findings: []evidence.Finding{{Endpoint: "list-bills (limit 4)", Expected: "at least 4 items, to judge limit 3", Observed: "0 items",
			Facts: map[string]string{InsufficientDataFact: "set a large query"}}}}
	night := Build(ginkgoReport(t, append(allPassing("STRUCT-001"), thin)...), testCatalogue(t), liveRun(), nil, nil)
	c := Compare(pass, night)
	if len(c.NewlyNotJudged) != 1 || c.NewlyNotJudged[0].ID != "STRUCT-001" || len(c.NewConfigErrors)+len(c.NewViolations)+len(c.NewlyUnavailable) != 0 {
		t.Fatalf("thin night: not judged %+v, config %d, violations %d, unavailable %d", c.NewlyNotJudged, len(c.NewConfigErrors), len(c.NewViolations), len(c.NewlyUnavailable))
	}
	head := c.headline()
	for _, want := range []string{"No contract violation is new", "too few items", "STRUCT-001", "data shrank", "1 newly not judged"} {
		if !strings.Contains(head, want) {
			t.Errorf("thin-data headline lacks %q: %s", want, head)
		}
	}
	if strings.Contains(head, "setup was wrong") || !c.HasRegressions() {
		t.Errorf("thin data is a regression of the run, not a setup mistake: %s", head)
	}
	if md := c.Markdown(); !strings.Contains(md, "## Newly not judged (too few items") {
		t.Errorf("compare.md lacks the not-judged section:\n%s", md)
	}
}

// A night as bad as the one before reads as no pass, not as all clear; and
// after a night that recorded no shapes, compare says drift could not be
// compared rather than reporting none.
func TestCompareNeverReadsAStandingFailureAsAllClear(t *testing.T) {
	pass, outage, broken := nights(t)
	if head := Compare(broken, broken).headline(); !strings.Contains(head, "still fail") || !strings.Contains(head, "AUTH-001") {
		t.Errorf("a standing violation: %s", head)
	}
	if head := Compare(outage, outage).headline(); !strings.Contains(head, "still unavailable") {
		t.Errorf("a standing outage: %s", head)
	}
	if head := Compare(pass, pass).headline(); head != "No change from the baseline." {
		t.Errorf("two passing nights: %s", head)
	}
	base, cur := baselineAndCurrent(t)
	base.Shapes = nil
	c := Compare(base, cur)
	if len(c.Drift) != 0 || !strings.Contains(strings.Join(c.Notes, "\n"), "shape drift could not be compared") {
		t.Errorf("a baseline without shapes: drift %v, notes %q", c.Drift, c.Notes)
	}
}

// A SHOULD rule's new failure is advisory in the comparison, as in the
// verdict: "the API broke the contract" names MUST violations only.
func TestCompareKeepsAdvisoryFailuresApart(t *testing.T) {
	base := Build(ginkgoReport(t, allPassing()...), testCatalogue(t), liveRun(), nil, nil)
	advisory := fakeSpec{text: "STRUCT-003 a refused method gets 405 with Allow POST", state: types.SpecStateFailed, msg: "bills: expected 405, got 404"}
	run := liveRun()
	run.Start = run.Start.Add(24 * time.Hour)
	cur := Build(ginkgoReport(t, append(allPassing("STRUCT-003"), advisory)...), testCatalogue(t), run, nil, nil)
	c := Compare(base, cur)
	if len(c.NewViolations) != 0 || len(c.NewAdvisory) != 1 {
		t.Fatalf("violations %v, advisory %v: want the SHOULD failure apart", c.NewViolations, c.NewAdvisory)
	}
	if h := c.headline(); strings.Contains(h, "broke the contract") || !strings.Contains(h, "No MUST rule broke") {
		t.Errorf("headline: %s", h)
	}
}

// A comparison of sandbox runs says so, and marks inferred rules.
func TestCompareSaysWhereTheAnswersCameFromAndMarksInferredRules(t *testing.T) {
	base := Build(ginkgoReport(t, allPassing()...), testCatalogue(t), liveRun(), nil, nil)
	failing := fakeSpec{text: "AUTH-002 a missing Authorization header gets 401", state: types.SpecStateFailed, msg: "bills: expected 401, got 200"}
	run := liveRun()
	run.Start, run.Sandbox = run.Start.Add(24*time.Hour), true
	cur := Build(ginkgoReport(t, append(allPassing("AUTH-002"), failing)...), testCatalogue(t), run, nil, nil)
	for i := range cur.Requirements {
		if cur.Requirements[i].ID == "AUTH-002" {
			cur.Requirements[i].Source = catalogue.SourceInferred
		}
	}
	c := Compare(base, cur)
	h := c.headline()
	if !strings.Contains(h, "no evidence about the real Winston API") || !strings.Contains(h, "AUTH-002 (inferred)") {
		t.Errorf("headline: %s", h)
	}
	if !strings.Contains(c.Markdown(), "(local sandbox)") {
		t.Errorf("compare.md does not name the sandbox:\n%s", c.Markdown())
	}
}

// Nights: broken (AUTH-001 violated), outage, broken again, outage, and
// all passing. With the history, the violation after the first outage is
// the standing one, not new, and the night it is gone after the second
// outage is its fix; each says which run it was set against.
func TestCompareWithHistorySeesPastAnOutage(t *testing.T) {
	pass, outage, broken := nights(t)
	night := func(d *Document, n int) *Document {
		c := *d
		c.Run.Start = testStart.Add(time.Duration(n) * 24 * time.Hour)
		return &c
	}
	a, b, c, d, e := night(broken, 0), night(outage, 1), night(broken, 2), night(outage, 3), night(pass, 4)
	history := []*Document{a, b, c, d, e}

	cmp := CompareWithHistory(b, c, history)
	if len(cmp.NewViolations) != 0 {
		t.Errorf("a violation standing since before the outage was called new: %+v", cmp.NewViolations)
	}
	cmp = CompareWithHistory(d, e, history)
	if len(cmp.Fixed) != 1 || cmp.Fixed[0].ID != "AUTH-001" || !strings.Contains(cmp.Fixed[0].BeforeFrom, c.Run.Start.UTC().Format(time.RFC3339)) {
		t.Errorf("the fix after the second outage: fixed %+v", cmp.Fixed)
	}
	if md := cmp.Markdown(); !strings.Contains(md, "the last to judge it") {
		t.Errorf("compare.md does not say which run the fix was set against:\n%s", md)
	}
	// A second night of outage is no change: nothing is newly unavailable
	// because a night before the first one passed.
	if cmp := CompareWithHistory(d, night(outage, 5), history); len(cmp.NewlyUnavailable) != 0 || len(cmp.NewViolations) != 0 {
		t.Errorf("a second outage night: newly unavailable %d, new violations %d", len(cmp.NewlyUnavailable), len(cmp.NewViolations))
	}
	// Without the history, the same nights read as before: nothing known.
	if cmp := Compare(d, e); len(cmp.Fixed) != 0 {
		t.Errorf("without the history a fix cannot be known: %+v", cmp.Fixed)
	}
}

// An endpoint down in the baseline left it no shape: its drift tonight is
// compared with the last run that read it, or a note says it could not
// be, never dropped without a word.
func TestCompareShapeDriftPastAnEndpointDownInTheBaseline(t *testing.T) {
	base, cur := baselineAndCurrent(t)
	older := *base
	older.Run.Start = base.Run.Start.Add(-24 * time.Hour)
	older.Shapes = map[string]Shape{"products": {"$": {"array"}, "[]": {"object"}, "[]._id": {"string"}}}
	cur.Shapes["products"] = Shape{"$": {"array"}, "[]": {"object"}}
	c := Compare(base, cur)
	if !strings.Contains(strings.Join(c.Notes, "\n"), "products gave the baseline no answer to read") {
		t.Errorf("no note for the endpoint the baseline did not read: %v", c.Notes)
	}
	c = CompareWithHistory(base, cur, []*Document{&older})
	found := false
	for _, d := range c.Drift {
		found = found || d.Endpoint == "products" && d.Path == "[]._id"
	}
	if !found {
		t.Errorf("the drift against the last run that read products is missing: %+v", c.Drift)
	}
}

// Retries are reported, never hidden: a run whose requests were sent again
// after 429s says so among its problems, counts them as attempted, and
// compare notes the change from the baseline.
func TestRetriesAreShownInTheReportAndTheComparison(t *testing.T) {
	clean := Build(ginkgoReport(t, allPassing()...), testCatalogue(t), liveRun(), nil, nil)
	retried := answer("/api/v2/bills", 200, "[]", 10*time.Millisecond)
	retried.Retries = 2
	specs := allPassing("AUTH-001")
	s := passing("AUTH-001", "a valid token is accepted")
	s.exchanges = []evidence.Exchange{retried}
	throttled := Build(ginkgoReport(t, append(specs, s)...), testCatalogue(t), liveRun(), nil, nil)
	if throttled.Run.Retries != 2 || !strings.Contains(strings.Join(throttled.Run.Problems, "\n"), "retries: 1 of ") {
		t.Errorf("retries %d, problems %q", throttled.Run.Retries, throttled.Run.Problems)
	}
	if md := throttled.renderMarkdownString(t); !strings.Contains(md, "retries: 1 of ") {
		t.Errorf("report.md does not show the retries")
	}
	if c := Compare(clean, throttled); !strings.Contains(strings.Join(c.Notes, "\n"), "0 in the baseline, 2 now") {
		t.Errorf("compare notes: %v", c.Notes)
	}
}

func (d *Document) renderMarkdownString(t *testing.T) string {
	t.Helper()
	b, err := d.renderMarkdown()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// After a whole outage night (a baseline with no shapes at all), the
// history's last run that read the lists gives the drift tonight.
func TestCompareShapeDriftPastAWholeOutage(t *testing.T) {
	base, cur := baselineAndCurrent(t)
	older := *base
	older.Run.Start = base.Run.Start.Add(-24 * time.Hour)
	base.Shapes = nil
	c := CompareWithHistory(base, cur, []*Document{&older})
	found := false
	for _, d := range c.Drift {
		found = found || d.Endpoint == "bills" && d.Path == "[].total"
	}
	if !found {
		t.Errorf("the drift against the last run that read bills is missing: %+v (notes %v)", c.Drift, c.Notes)
	}
	if c := Compare(base, cur); !strings.Contains(strings.Join(c.Notes, "\n"), "the baseline recorded no response shapes") {
		t.Errorf("without history, the missing shapes are not noted: %v", c.Notes)
	}
}
