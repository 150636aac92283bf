package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/winston-conformance/winston-conformance/harness/report"
)

// writeReport writes a report of the given verdict, started at start,
// into a new directory.
func writeReport(t *testing.T, verdict string, start time.Time) string {
	t.Helper()
	dir := t.TempDir()
	doc := &report.Document{SchemaVersion: report.SchemaVersion, Verdict: verdict, Summary: "a run", Mode: "replay"}
	doc.Run.Start = start
	if err := doc.Write(dir, nil); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestVerdictReadsADirectoryOrItsReportJSON(t *testing.T) {
	dir := writeReport(t, report.VerdictFail, time.Now())
	for _, arg := range []string{dir, filepath.Join(dir, report.JSONFile)} {
		var out, errOut bytes.Buffer
		if code := run([]string{arg}, env(nil), &out, &errOut); code != report.ExitFail {
			t.Errorf("verdict %s: exit %d, want %d (fail); stderr: %s", arg, code, report.ExitFail, errOut.String())
		}
		if !strings.Contains(out.String(), "verdict: fail") {
			t.Errorf("verdict %s printed %q", arg, out.String())
		}
	}
}

func TestVerdictRefusesAReportOlderThanSince(t *testing.T) {
	start := time.Now().Add(-time.Hour)
	dir := writeReport(t, report.VerdictPass, start)
	since := fmt.Sprintf("%d.%09d", start.Unix()+1, 0)
	var out, errOut bytes.Buffer
	if code := run([]string{"-since", since, "-suite-exit", "1", dir}, env(nil), &out, &errOut); code == report.ExitPass {
		t.Fatalf("an earlier run's pass was taken for this run's: %s", out.String())
	}
	if !strings.Contains(errOut.String(), "earlier run") || !strings.Contains(errOut.String(), "status 1") {
		t.Errorf("the message must say the report is an earlier run's and how the suite exited: %s", errOut.String())
	}
	if code := run([]string{"-since", fmt.Sprintf("%d.N", start.Unix()), dir}, env(nil), &out, &errOut); code != report.ExitPass {
		t.Errorf("a report of this run (BSD date, no nanoseconds) must be read: exit %d: %s", code, errOut.String())
	}
}

// A wrong app name fails every call with 401: the report's problems say
// "hint: ... the key or the app name is probably wrong", but the console
// ended with "24 contract violations", and the user had to open report.md
// to find the cause. The console now shows the hints, why the go-live
// verdict is what it is, and which file to attach.
func TestVerdictShowsTheRunsHintsAndWhatToAttach(t *testing.T) {
	dir := t.TempDir()
	doc := &report.Document{SchemaVersion: report.SchemaVersion, Verdict: report.VerdictFail, Summary: "24 contract violations", Mode: "live"}
	doc.Run.Start = time.Now()
	doc.Run.Problems = []string{"hint: all 138 POST requests sent with the configured key got 401: the key or the app name is probably wrong"}
	doc.GoLive = report.GoLive{Verdict: "not-valid-for-submission", Reason: "the answers came from the local Winston sandbox"}
	if err := doc.Write(dir, nil); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if code := run([]string{dir}, env(nil), &out, &errOut); code != report.ExitFail {
		t.Fatalf("exit %d, want %d", code, report.ExitFail)
	}
	for _, want := range []string{
		"the key or the app name is probably wrong",
		"the answers came from the local Winston sandbox",
		filepath.Join(dir, report.MarkdownFile),
		filepath.Join(dir, report.HTMLFile),
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the verdict's output lacks %q:\n%s", want, out.String())
		}
	}
}

// A run that failed after its report was written exits 7, never 2 (this
// command's usage error) nor the report's own verdict: with a report that
// says pass, with no report.json at all (its writing was refused), and
// with only an earlier run's report beside it. A RUN-FAILED.txt older
// than -since is an earlier run's and is not this run's failure.
func TestARunThatFailedAfterItsReportNeverPasses(t *testing.T) {
	start := time.Now().Add(-time.Minute)
	since := fmt.Sprintf("%d.%09d", start.Unix(), 0)
	failed := func(t *testing.T, dir string) {
		t.Helper()
		if err := report.WriteFailedAfter(dir, "SECRET LEAK: found in report.html"); err != nil {
			t.Fatal(err)
		}
	}
	for name, dir := range map[string]func(t *testing.T) string{
		"report says pass":             func(t *testing.T) string { return writeReport(t, report.VerdictPass, time.Now()) },
		"no report.json":               func(t *testing.T) string { return t.TempDir() },
		"only an earlier run's report": func(t *testing.T) string { return writeReport(t, report.VerdictPass, start.Add(-time.Hour)) },
	} {
		t.Run(name, func(t *testing.T) {
			dir := dir(t)
			failed(t, dir)
			var out, errOut bytes.Buffer
			if code := run([]string{"-since", since, dir}, env(nil), &out, &errOut); code != exitFailedAfter {
				t.Errorf("exit %d, want %d: %s", code, exitFailedAfter, errOut.String())
			}
			if !strings.Contains(errOut.String(), "SECRET LEAK") {
				t.Errorf("the reason is not shown: %s", errOut.String())
			}
		})
	}
	t.Run("an earlier run's RUN-FAILED.txt", func(t *testing.T) {
		dir := writeReport(t, report.VerdictPass, time.Now())
		failed(t, dir)
		old := start.Add(-time.Hour)
		if err := os.Chtimes(filepath.Join(dir, report.FailedAfterFile), old, old); err != nil {
			t.Fatal(err)
		}
		var out, errOut bytes.Buffer
		if code := run([]string{"-since", since, dir}, env(nil), &out, &errOut); code != report.ExitPass {
			t.Errorf("exit %d, want %d (pass): an earlier run's failure was taken for this run's: %s", code, report.ExitPass, errOut.String())
		}
	})
}
