package selfcheck

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/winston-conformance/winston-conformance/harness/config"
)

// suiteBinary is the real suite, built once for the tests that run it.
var suiteBinary string

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	_, binary, cleanup, err := BuildSuiteForTests("selfcheck-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer cleanup()
	suiteBinary = binary
	return m.Run()
}

func repoRoot(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root, err := config.FindRepoRoot(wd)
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// fakeSuite writes a shell script that stands in for the suite binary.
func fakeSuite(t *testing.T, body string) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the stand-in suite is a shell script")
	}
	p := filepath.Join(t.TempDir(), "fake-suite")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o700); err != nil { // #nosec G306 -- an executable test script
		t.Fatal(err)
	}
	return p
}

func rowOf(t *testing.T, m *Matrix, fault string) Row {
	t.Helper()
	for _, r := range m.Rows {
		if r.Fault == fault {
			return r
		}
	}
	t.Fatalf("no row %s in %+v", fault, m.Rows)
	return Row{}
}

// The real suite against the real sandbox: the faithful run is clean, a
// contract fault is caught as a failure and an availability fault as
// unavailable; each run leaves its report and logs, and nothing stale.
func TestRunCatchesFaults(t *testing.T) {
	out := t.TempDir()
	stale := filepath.Join(out, "redirect-wrong-path", "report.json")
	if err := os.MkdirAll(filepath.Dir(stale), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(stale, []byte(`{"schemaVersion":"stale"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	var progress strings.Builder
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	m, err := Run(ctx, Options{RepoRoot: repoRoot(t), SuiteBinary: suiteBinary, OutDir: out, Parallel: 2,
		Faults: []string{"reset", "redirect-wrong-path"}, Timeout: time.Minute, Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Rows) != 3 || m.Rows[0].Fault != Faithful {
		t.Fatalf("rows: want faithful, redirect-wrong-path, reset; got %+v", m.Rows)
	}
	for _, r := range m.Rows {
		if !r.OK {
			t.Errorf("%s: %q (see %s)", r.Fault, r.Problems, r.ReportDir)
		}
		for _, f := range []string{"report.json", SuiteLog, SandboxLog} {
			if _, err := os.Stat(filepath.Join(r.ReportDir, f)); err != nil {
				t.Errorf("%s: %v", r.Fault, err)
			}
		}
	}
	if r := rowOf(t, m, "redirect-wrong-path"); r.Verdict != "fail" || strings.Join(r.Failed, ",") != "TRANS-001" {
		t.Errorf("redirect-wrong-path: verdict %s, failed %v", r.Verdict, r.Failed)
	}
	if r := rowOf(t, m, "reset"); r.Verdict != "unavailable" {
		t.Errorf("reset: verdict %s", r.Verdict)
	}
	if m.FaultsCaught != 2 || m.FaultsTotal != 2 {
		t.Errorf("caught %d/%d", m.FaultsCaught, m.FaultsTotal)
	}
	if !strings.Contains(progress.String(), "redirect-wrong-path") || strings.Count(progress.String(), "\n") != 3 {
		t.Errorf("one progress line per run, got:\n%s", progress.String())
	}
	for _, f := range []string{MarkdownFile, JSONFile} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
	// The stale report was not judged, and not deleted either: it was kept.
	if kept, _ := filepath.Glob(filepath.Join(out, "*", "redirect-wrong-path", "report.json")); len(kept) != 1 {
		t.Errorf("the earlier redirect-wrong-path report was not kept in an archive folder: %v", kept)
	}
}

// A key of the run that reaches any file of its directory is a problem of
// that row, named by file and fingerprint, never by the key itself.
func TestRunFindsALeakedKey(t *testing.T) {
	bin := fakeSuite(t, `echo "the key is $WINSTON_API_KEY" > "$WINSTON_REPORT_DIR/leak.txt"; exit 1`)
	m, err := Run(context.Background(), Options{RepoRoot: repoRoot(t), SuiteBinary: bin, OutDir: t.TempDir(), Faults: []string{"reset"}, Timeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	r := rowOf(t, m, "reset")
	all := strings.Join(r.Problems, "\n")
	if r.OK || !strings.Contains(all, "secret leak") || !strings.Contains(all, "leak.txt") {
		t.Errorf("the leak must be a problem of the row: %q", r.Problems)
	}
	if strings.Contains(all, "selfcheck-tenant-1-") {
		t.Errorf("the problem quotes the key: %q", r.Problems)
	}
	if !strings.Contains(all, "read the run's report") {
		t.Errorf("a run without report must say so: %q", r.Problems)
	}
}

// The caller's WINSTON_* settings never reach the runs: the matrix is the
// same on every machine.
func TestRunIgnoresTheCallersWinstonVariables(t *testing.T) {
	t.Setenv("WINSTON_MODE", "replay")
	t.Setenv("WINSTON_CATALOGUE", "/somewhere/else.yaml")
	bin := fakeSuite(t, `echo "mode=$WINSTON_MODE catalogue=$WINSTON_CATALOGUE timeout=$WINSTON_TIMEOUT rps=$WINSTON_MAX_RPS" > "$WINSTON_REPORT_DIR/env.txt"`)
	out := t.TempDir()
	if _, err := Run(context.Background(), Options{RepoRoot: repoRoot(t), SuiteBinary: bin, OutDir: out, Faults: []string{"reset"}, Timeout: 30 * time.Second}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(out, Faithful, "env.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.TrimSpace(string(data)), "mode=live catalogue= timeout="+SuiteTimeout+" rps=0"; got != want {
		t.Errorf("the suite saw %q, want %q", got, want)
	}
}

// A suite that hangs is stopped at the timeout, even when a grandchild
// keeps its output open, and the row says what happened.
func TestRunStopsAHangingSuite(t *testing.T) {
	old := waitDelay
	waitDelay = 500 * time.Millisecond
	t.Cleanup(func() { waitDelay = old })
	bin := fakeSuite(t, "sleep 30; echo never")
	start := time.Now()
	m, err := Run(context.Background(), Options{RepoRoot: repoRoot(t), SuiteBinary: bin, OutDir: t.TempDir(), Faults: []string{"reset"}, Timeout: time.Second, Parallel: 2})
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 15*time.Second {
		t.Errorf("the selfcheck took %v: the timeout did not stop the run", took)
	}
	for _, r := range m.Rows {
		if r.OK || !strings.Contains(strings.Join(r.Problems, "\n"), "ran longer than 1s") {
			t.Errorf("%s: want a timeout problem, got OK=%v %q", r.Fault, r.OK, r.Problems)
		}
	}
}

func TestRunInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	out := t.TempDir()
	m, err := Run(ctx, Options{RepoRoot: repoRoot(t), SuiteBinary: fakeSuite(t, "exit 0"), OutDir: out, Faults: []string{"reset"}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want the context's error, got %v", err)
	}
	if m == nil || m.OK || !strings.Contains(strings.Join(m.Rows[0].Problems, ""), "interrupted") {
		t.Fatalf("an interrupted selfcheck is not OK and says so: %+v", m)
	}
	if _, err := os.Stat(filepath.Join(out, MarkdownFile)); err != nil {
		t.Errorf("the partial matrix must still be written: %v", err)
	}
}

func TestRunRefusesBadOptions(t *testing.T) {
	if _, err := Run(context.Background(), Options{}); err == nil || !strings.Contains(err.Error(), "selfcheck options") {
		t.Errorf("want the options error, got %v", err)
	}
}

func TestBuildSuiteReportsCompilerOutput(t *testing.T) {
	err := BuildSuite(context.Background(), t.TempDir(), filepath.Join(t.TempDir(), "x"))
	if err == nil || !strings.Contains(err.Error(), "go test -c ./suites") {
		t.Errorf("building outside the checkout must fail with the command named, got %v", err)
	}
}
