package e2e

import (
	"strings"
	"testing"

	"github.com/winston-conformance/winston-conformance/harness/report"
	"github.com/winston-conformance/winston-conformance/harness/sandbox"
)

// TestCompareNamesTheDriftOfAFieldTypeFault is the nightly-regression case
// end to end: a faithful run is the baseline, the same checks against a
// sandbox that sends bill totals as strings are the current run, and the
// comparison must name the endpoint, the field and the change.
func TestCompareNamesTheDriftOfAFieldTypeFault(t *testing.T) {
	runAgainst := func(faults ...string) *report.Document {
		srv, _ := startSandbox(t, sandbox.Options{Faults: faults})
		return runSuite(t, liveEnv(srv, "", ""), focus("SCHEMA-001")).mustDoc(t)
	}
	baseline := runAgainst()
	current := runAgainst("number-as-string")
	if baseline.Verdict != report.VerdictPass || current.Verdict != report.VerdictFail {
		t.Fatalf("verdicts %s then %s, want pass then fail", baseline.Verdict, current.Verdict)
	}
	text := report.Compare(baseline, current).Text()
	for _, want := range []string{"bills: [].total changed type number -> string", "list-bills: [].total changed type number -> string", "SCHEMA-001"} {
		if !strings.Contains(text, want) {
			t.Errorf("the comparison does not say %q:\n%s", want, text)
		}
	}
}
