package e2e

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/winston-conformance/winston-conformance/harness/config"
	"github.com/winston-conformance/winston-conformance/harness/report"
)

// A run that Ginkgo stops before its end (here its own --timeout, which
// elapses before the replay is done) must never pass: its verdict is
// interrupted, and a spec cut off is not a contract violation.
func TestARunStoppedByTheSuiteTimeoutIsInterruptedNeverPass(t *testing.T) {
	r := runSuite(t, map[string]string{config.EnvMode: "replay"}, "-ginkgo.timeout=1ms")
	doc := r.mustDoc(t)
	if doc.Verdict != report.VerdictInterrupted {
		t.Fatalf("verdict %s, want %s: %s", doc.Verdict, report.VerdictInterrupted, doc.Summary)
	}
	if !strings.Contains(doc.Summary, "Interrupted") || doc.Run.Interrupted == "" {
		t.Errorf("the summary and run.interrupted must say why the run stopped: %q / %q", doc.Summary, doc.Run.Interrupted)
	}
	if doc.Counts.ContractViolations != 0 {
		t.Errorf("stopping the run is no contract violation: %+v", doc.Counts)
	}
}

// When the suite's timeout has elapsed by the time the report is written
// (here at once, with a configuration error and a 1 ms timeout), the
// report is still written: Ginkgo times the report node out too, and a
// report node that takes no context is abandoned mid-write, so the run's
// verdict would be lost. Several runs, as the race is lost only most times.
func TestTheReportIsWrittenWhenTheSuiteTimeoutHasElapsed(t *testing.T) {
	for i := range 5 {
		r := runSuite(t, map[string]string{config.EnvMode: "replay", config.EnvCassetteDir: filepath.Join(t.TempDir(), "no-cassettes")},
			"-ginkgo.timeout=1ms")
		doc := r.mustDoc(t)
		if doc.Verdict == report.VerdictPass {
			t.Fatalf("run %d: verdict pass for a run with a configuration error stopped by its timeout: %s", i+1, doc.Summary)
		}
	}
}
