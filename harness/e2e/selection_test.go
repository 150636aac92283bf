package e2e

import (
	"strings"
	"testing"

	"github.com/winston-conformance/winston-conformance/harness/config"
	"github.com/winston-conformance/winston-conformance/harness/report"
)

// A focus or a label filter leaves out the CONFIG spec that reports a
// configuration error; the error must still fail the run, whatever is
// selected, and the suite process must exit non-zero.
func TestAConfigurationErrorFailsAFocusedRun(t *testing.T) {
	for name, args := range map[string][]string{
		"focus":        {focus("AUTH-001")},
		"label filter": {"-ginkgo.label-filter=auth"},
		"no selection": nil,
	} {
		t.Run(name, func(t *testing.T) {
			r := runSuite(t, map[string]string{config.EnvMode: "replay", config.EnvTimeout: "forever"}, args...)
			doc := r.mustDoc(t)
			if doc.Verdict != report.VerdictConfigError {
				t.Errorf("verdict %s, want %s: %s", doc.Verdict, report.VerdictConfigError, doc.Summary)
			}
			if r.Exit == 0 {
				t.Errorf("the suite exited 0 with a configuration error; output:\n%s", r.output(t))
			}
			if !strings.Contains(r.output(t), config.EnvTimeout) {
				t.Errorf("the output must name %s, the variable at fault:\n%s", config.EnvTimeout, r.output(t))
			}
			if args != nil && (!strings.Contains(r.output(t), "fix: correct the setting(s) named above") || strings.Contains(r.output(t), "although no spec failed")) {
				t.Errorf("with the CONFIG spec left out, the failure must give the error and its fix, not only the verdict:\n%s", r.output(t))
			}
		})
	}
}

// A focus that matches no requirement ran nothing: that is no pass.
func TestAFocusThatMatchesNothingIsNoPass(t *testing.T) {
	r := runSuite(t, map[string]string{config.EnvMode: "replay"}, focus("NO-SUCH-REQUIREMENT"))
	doc := r.mustDoc(t)
	if doc.Verdict == report.VerdictPass || doc.ExitCode() == report.ExitPass {
		t.Errorf("verdict %s: a run that judged no requirement is not a pass: %s", doc.Verdict, doc.Summary)
	}
	if !strings.Contains(doc.Summary, "NO-SUCH-REQUIREMENT") && !strings.Contains(doc.Summary, "no requirement") {
		t.Errorf("the summary must say that nothing was selected: %s", doc.Summary)
	}
	if r.Exit == 0 {
		t.Errorf("the suite exited 0 although it ran no requirement; output:\n%s", r.output(t))
	}
}

// A misspelt variable (here the key under WINSTON_APIKEY) stops the run
// with a configuration error naming it and the variable meant, and its
// value, which may be a key, reaches no output.
func TestAMisspeltVariableIsAConfigurationError(t *testing.T) {
	key := plantedKey(t, "PLANTED-e2e-typo-")
	r := runSuite(t, map[string]string{config.EnvMode: "replay", "WINSTON_APIKEY": key})
	doc := r.mustDoc(t)
	if doc.Verdict != report.VerdictConfigError {
		t.Errorf("verdict %s, want %s: %s", doc.Verdict, report.VerdictConfigError, doc.Summary)
	}
	for _, want := range []string{"WINSTON_APIKEY", config.EnvAPIKey} {
		if !strings.Contains(doc.Run.ConfigError, want) {
			t.Errorf("the configuration error must name %s: %s", want, doc.Run.ConfigError)
		}
	}
	assertNoKey(t, []string{key}, r.ReportDir, r.OutputDir)
}

// The report's command reruns the run as it was: a focused run's command
// keeps its focus.
func TestTheRunCommandKeepsTheFocus(t *testing.T) {
	r := runSuite(t, map[string]string{config.EnvMode: "replay"}, focus("AUTH-001", "AUTH-002"))
	doc := r.mustDoc(t)
	if !strings.Contains(doc.Run.Command, "--focus='AUTH-001|AUTH-002'") {
		t.Errorf("run.command drops the focus: %s", doc.Run.Command)
	}
}
