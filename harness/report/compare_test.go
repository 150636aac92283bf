package report

import (
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
	if got := ids(c.NewFailures); !reflect.DeepEqual(got, []string{"AUTH-002:passed>failed"}) {
		t.Errorf("new failures = %v", got)
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
	for _, want := range []string{"bills: `[].total` changed type number -> string", "## New failures (1)",
		"AUTH-002 a missing Authorization header gets 401: passed -> failed (contract-violation)", "## Fixed (1)", "## Newly skipped (2)",
		"AUTH-002 on bills (POST, auth none): 401 -> 200", "| bills | 40.0 | 120.0 | 50.0 | 300.0 | slower |"} {
		if !strings.Contains(md, want) {
			t.Errorf("compare.md lacks %q\n%s", want, md)
		}
	}
	for _, want := range []string{"bills: [].total changed type number -> string", "New failures (1):", "p95 50.0 -> 300.0 slower"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q\n%s", want, text)
		}
	}
}

func TestCompareOfARunWithItselfIsQuiet(t *testing.T) {
	d := mustBuild(t, "fail")
	c := Compare(d, d)
	if c.HasRegressions() || len(c.Fixed)+len(c.Changed) != 0 || !strings.Contains(c.Markdown(), "No change from the baseline.") {
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
