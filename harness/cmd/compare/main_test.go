package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/winston-conformance/winston-conformance/harness/catalogue"
	"github.com/winston-conformance/winston-conformance/harness/report"
)

// writeRun writes a report directory whose bills answers had the given
// type of total.
func writeRun(t *testing.T, dir string, start time.Time, totalType string) {
	t.Helper()
	cat, err := catalogue.Default()
	if err != nil {
		t.Fatal(err)
	}
	d := report.ConfigErrorDocument(cat, report.RunInfo{Mode: "live", Start: start, ConfigError: "synthetic",
		Target: report.Target{BaseURL: "https://api-qa.example.test", AppName: "api_test"}})
	d.Shapes = map[string]report.Shape{"bills": {"$": {"array"}, "[]": {"object"}, "[].total": {totalType}}}
	if err := d.Write(dir, nil); err != nil {
		t.Fatal(err)
	}
}

func TestCompareNamesEndpointFieldAndChange(t *testing.T) {
	root := t.TempDir()
	base, cur := filepath.Join(root, "base"), filepath.Join(root, "cur")
	start := time.Date(2026, 11, 21, 2, 0, 0, 0, time.UTC)
	writeRun(t, base, start, "number")
	writeRun(t, cur, start.Add(24*time.Hour), "string")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-baseline", base, "-current", cur}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "bills: [].total changed type number -> string") {
		t.Errorf("output lacks the drift:\n%s", stdout.String())
	}
	md, err := os.ReadFile(filepath.Join(cur, report.CompareFile))
	if err != nil || !strings.Contains(string(md), "bills: `[].total` changed type number -> string") {
		t.Errorf("compare.md (%v):\n%s", err, md)
	}
	// A second comparison keeps the first one.
	if code := run([]string{"-baseline", base, "-current", filepath.Join(cur, report.JSONFile)}, &stdout, &stderr); code != 0 {
		t.Fatalf("second run: exit %d: %s", code, stderr.String())
	}
	kept, _ := filepath.Glob(filepath.Join(cur, "compare.*.md"))
	if len(kept) != 1 {
		t.Errorf("the earlier compare.md must be kept, found %v", kept)
	}
	out := filepath.Join(root, "elsewhere", "cmp.md")
	if code := run([]string{"-baseline", base, "-current", cur, "-out", out}, &stdout, &stderr); code != 0 || !fileExists(out) {
		t.Errorf("-out: exit %d, written %v", code, fileExists(out))
	}
}

func TestBadBaselineIsNamedAndTheCurrentReportKept(t *testing.T) {
	root := t.TempDir()
	cur := filepath.Join(root, "cur")
	writeRun(t, cur, time.Date(2026, 11, 21, 2, 0, 0, 0, time.UTC), "number")
	before, _ := os.ReadFile(filepath.Join(cur, report.JSONFile))
	other := filepath.Join(root, "other")
	corrupt := filepath.Join(root, "corrupt")
	for dir, content := range map[string]string{other: `{"schemaVersion":"winston-conformance-report/v0"}`, corrupt: `{"schemaVersion":`} {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, report.JSONFile), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cases := map[string]struct{ dir, want string }{
		"missing":       {filepath.Join(root, "nope"), "no such file"},
		"other version": {other, `"winston-conformance-report/v0"`},
		"corrupt":       {corrupt, "corrupt"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run([]string{"-baseline", c.dir, "-current", cur}, &stdout, &stderr)
			if code != exitBadInput {
				t.Errorf("exit %d, want %d", code, exitBadInput)
			}
			msg := stderr.String()
			if !strings.Contains(msg, "baseline") || !strings.Contains(msg, c.dir) || !strings.Contains(msg, c.want) {
				t.Errorf("stderr must name the baseline and the problem %q:\n%s", c.want, msg)
			}
			md, err := os.ReadFile(filepath.Join(cur, report.CompareFile))
			if err != nil || !strings.Contains(string(md), "No comparison was made") {
				t.Errorf("compare.md must say why there is no comparison (%v): %s", err, md)
			}
			after, _ := os.ReadFile(filepath.Join(cur, report.JSONFile))
			if !bytes.Equal(before, after) {
				t.Error("the current report must not change")
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-baseline", "x"}, &stdout, &stderr); code != exitBadInput || !strings.Contains(stderr.String(), "usage") {
		t.Errorf("exit %d: %s", code, stderr.String())
	}
	if code := run([]string{"-bogus"}, &stdout, &stderr); code != exitBadInput {
		t.Errorf("unknown flag: exit %d", code)
	}
	stderr.Reset()
	if code := run([]string{"-baseline", "x", "-current", filepath.Join(t.TempDir(), "none")}, &stdout, &stderr); code != exitBadInput ||
		!strings.Contains(stderr.String(), "current report") {
		t.Errorf("missing current: exit %d: %s", code, stderr.String())
	}
}

// writeNight writes a report directory in which every requirement has the
// given status and classification, under the given verdict.
func writeNight(t *testing.T, dir string, start time.Time, verdict, status, class string) {
	t.Helper()
	cat, err := catalogue.Default()
	if err != nil {
		t.Fatal(err)
	}
	d := report.ConfigErrorDocument(cat, report.RunInfo{Mode: "live", Start: start,
		Target: report.Target{BaseURL: "https://api-qa.example.test", AppName: "api_test"}})
	d.Run.ConfigError, d.Verdict = "", verdict
	for i := range d.Requirements {
		d.Requirements[i].Status, d.Requirements[i].Classification, d.Requirements[i].Reason = status, class, ""
		if status == report.StatusFailed {
			d.Requirements[i].Reason = "environment unavailable: no answer: connect: connection refused"
		}
	}
	if err := d.Write(dir, nil); err != nil {
		t.Fatal(err)
	}
}

// TestAnOutageNightIsNoNewFailureOfTheContract: make compare on the night
// the environment was down says so in its first words, and counts no new
// contract violation.
func TestAnOutageNightIsNoNewFailureOfTheContract(t *testing.T) {
	root := t.TempDir()
	base, cur := filepath.Join(root, "base"), filepath.Join(root, "cur")
	start := time.Date(2026, 11, 21, 2, 0, 0, 0, time.UTC)
	writeNight(t, base, start, report.VerdictPass, report.StatusPassed, "")
	writeNight(t, cur, start.Add(24*time.Hour), report.VerdictUnavailable, report.StatusFailed, report.ClassEnvironmentUnavailable)
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-baseline", base, "-current", cur}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{"The environment was down (outage), no contract violation is new", "0 new contract violation(s)", "Newly unavailable (outage"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "new failure") {
		t.Errorf("an outage night reads as new failures:\n%s", out)
	}
}
