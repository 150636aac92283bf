package main

import (
	"bytes"
	"fmt"
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
