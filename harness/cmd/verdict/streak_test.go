package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/winston-conformance/winston-conformance/harness/report"
)

// nightsOf lays out a history directory as the nightly job keeps it (one
// folder a night, each with its report.json), one night per verdict,
// oldest first, the last night a day before now.
func nightsOf(t *testing.T, now time.Time, verdicts ...string) string {
	t.Helper()
	history := t.TempDir()
	for i, v := range verdicts {
		keepInHistory(t, history, v, now.Add(-time.Duration(len(verdicts)-i)*24*time.Hour))
	}
	return history
}

// keepInHistory writes a report of verdict started at start into history,
// in a folder of its own, as the nightly job keeps each night.
func keepInHistory(t *testing.T, history, verdict string, start time.Time) {
	t.Helper()
	src := writeReport(t, verdict, start)
	dst := filepath.Join(history, start.UTC().Format("20060102-150405"))
	if err := os.MkdirAll(dst, 0o750); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(src, report.JSONFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dst, report.JSONFile), data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// A nightly that the target throttles (or leaves unanswered) night after
// night judged nothing for days: one such night is a warning, but from
// -max-unavailable nights in a row the verdict says so and exits with
// its own code, so that the job goes red.
func TestVerdictEndsALongRunOfUnavailableNights(t *testing.T) {
	now := time.Now()
	tonight := writeReport(t, report.VerdictUnavailable, now)
	for _, tc := range []struct {
		name     string
		history  []string
		wantCode int
		want     string
	}{
		{"first unavailable night", []string{report.VerdictPass, report.VerdictPass}, report.ExitUnavailable, "1 run in a row"},
		{"second", []string{report.VerdictPass, report.VerdictUnavailable}, report.ExitUnavailable, "2 runs in a row"},
		{"third", []string{report.VerdictFail, report.VerdictUnavailable, report.VerdictUnavailable}, exitUnavailableTooLong, "3 runs in a row"},
		{"a judged night between", []string{report.VerdictUnavailable, report.VerdictUnavailable, report.VerdictPass, report.VerdictUnavailable}, report.ExitUnavailable, "2 runs in a row"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			history := nightsOf(t, now, tc.history...)
			var out, errOut bytes.Buffer
			code := run([]string{"-history", history, "-max-unavailable", "3", tonight}, env(nil), &out, &errOut)
			if code != tc.wantCode || !strings.Contains(out.String()+errOut.String(), tc.want) {
				t.Errorf("exit %d, want %d; output lacks %q?\n%s%s", code, tc.wantCode, tc.want, out.String(), errOut.String())
			}
			if code == exitUnavailableTooLong && !strings.Contains(errOut.String(), "WINSTON_MAX_RPS") {
				t.Errorf("a long run of unavailable nights must say what to do: %s", errOut.String())
			}
		})
	}
	// Tonight's own report in the history (a history that already holds
	// it) is not counted twice.
	history := nightsOf(t, now, report.VerdictPass, report.VerdictUnavailable)
	if err := os.MkdirAll(filepath.Join(history, "tonight"), 0o750); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(tonight, report.JSONFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(history, "tonight", report.JSONFile), data, 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if code := run([]string{"-history", history, "-max-unavailable", "3", tonight}, env(nil), &out, &errOut); code != report.ExitUnavailable {
		t.Errorf("tonight counted twice: exit %d\n%s%s", code, out.String(), errOut.String())
	}
	// A judged night is never changed, whatever the history.
	judged := writeReport(t, report.VerdictPass, now)
	history = nightsOf(t, now, report.VerdictUnavailable, report.VerdictUnavailable, report.VerdictUnavailable)
	if code := run([]string{"-history", history, "-max-unavailable", "3", judged}, env(nil), &out, &errOut); code != report.ExitPass {
		t.Errorf("a passing night after unavailable ones: exit %d", code)
	}
	// -max-unavailable needs the history it counts in.
	errOut.Reset()
	if code := run([]string{"-max-unavailable", "3", tonight}, env(nil), &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "-history") {
		t.Errorf("-max-unavailable without -history: exit %d: %s", code, errOut.String())
	}
}

// Runs started again by hand during one afternoon's outage are one night:
// three unavailable runs an hour apart do not end the streak's patience.
func TestRunsOfOneDayCountAsOneNight(t *testing.T) {
	now := time.Date(2026, 11, 29, 15, 0, 0, 0, time.UTC)
	tonight := writeReport(t, report.VerdictUnavailable, now)
	history := t.TempDir()
	for i := 1; i <= 3; i++ {
		keepInHistory(t, history, report.VerdictUnavailable, now.Add(-time.Duration(i)*time.Hour))
	}
	var out, errOut bytes.Buffer
	if code := run([]string{"-history", history, "-max-unavailable", "3", tonight}, env(nil), &out, &errOut); code != report.ExitUnavailable ||
		!strings.Contains(out.String(), "4 runs in a row") || !strings.Contains(out.String(), "on 1 day(s)") {
		t.Errorf("exit %d, want %d (one day): %s%s", code, report.ExitUnavailable, out.String(), errOut.String())
	}
}
