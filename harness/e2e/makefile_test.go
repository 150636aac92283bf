package e2e

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/winston-conformance/winston-conformance/harness/report"
)

// runMake runs `make conformance` in the checkout with the given variables
// (the test process's WINSTON_* dropped) and returns its exit status and
// console output.
func runMake(t *testing.T, vars ...string) (int, string) {
	t.Helper()
	return runMakeIn(t, repoRoot, nil, append([]string{"conformance"}, vars...)...)
}

// runMakeIn runs make with args in dir, with the test process's WINSTON_*
// variables replaced by env (and the cassette cache off), and returns its
// exit status and console output.
func runMakeIn(t *testing.T, dir string, env []string, args ...string) (int, string) {
	t.Helper()
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed: apt-get install make")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "make", append([]string{"--no-print-directory"}, args...)...) // #nosec G204 -- the test's own target and variables
	cmd.Dir = dir
	cmd.Env = append(environWithoutWinston(), "WINSTON_CASSETTE_CACHE=off")
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("make %s ran longer than %v: %s", strings.Join(args, " "), 3*runTimeout, out)
	}
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, string(out)
	case errors.As(err, &exit):
		return exit.ExitCode(), string(out)
	}
	t.Fatalf("run make: %v", err)
	return 0, ""
}

// A reused report directory holds an earlier run's pass. When the suite
// then stops before writing a report (here a flag Ginkgo does not know),
// make conformance must not read that old report as this run's verdict.
func TestMakeConformanceNeverReadsAnEarlierRunsReport(t *testing.T) {
	dir := t.TempDir()
	stale := &report.Document{
		SchemaVersion: report.SchemaVersion,
		Verdict:       report.VerdictPass,
		Summary:       "an earlier run that passed",
		Mode:          "replay",
	}
	stale.Run.Start = time.Now().Add(-time.Hour).UTC()
	if err := stale.Write(dir, nil); err != nil {
		t.Fatal(err)
	}
	code, out := runMake(t, "REPORT_DIR="+dir, "GINKGO_FLAGS=--no-such-ginkgo-flag")
	if code == 0 {
		t.Fatalf("make conformance exited 0 after the suite failed to start, reading the earlier run's report:\n%s", tail(out))
	}
	if !strings.Contains(out, "earlier run") {
		t.Errorf("the output should say that the report in %s is an earlier run's, not this one's:\n%s", dir, tail(out))
	}
	if _, err := os.Stat(filepath.Join(dir, report.JSONFile)); err != nil {
		t.Errorf("the earlier run's report must be kept: %v", err)
	}
}

// tail is the end of a long console output, for failure messages.
func tail(out string) string {
	const n = 2000
	if len(out) <= n {
		return out
	}
	return "...\n" + out[len(out)-n:]
}

// FOCUS is a regular expression and may hold any character a shell treats
// specially; a quote in it used to end the Makefile's quoting and break the
// command line.
func TestMakeConformanceTakesAnyFocus(t *testing.T) {
	dir := t.TempDir()
	code, out := runMake(t, "REPORT_DIR="+dir, `FOCUS=AUTH-001|it's "quoted" ; true`)
	if code != 0 {
		t.Fatalf("make conformance with a quote in FOCUS exited %d:\n%s", code, tail(out))
	}
	doc, err := report.ReadDocument(filepath.Join(dir, report.JSONFile))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(doc.Run.Command, "it") || doc.Counts.Passed != 1 {
		t.Errorf("the focus did not reach Ginkgo as given: %d passed, command %s", doc.Counts.Passed, doc.Run.Command)
	}
}
