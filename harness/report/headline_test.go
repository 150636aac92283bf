package report

import (
	"strings"
	"testing"
)

// A replay run asked no server anything, whatever WINSTON_BASE_URL said:
// its headline says it replayed cassettes, and where they were recorded.
func TestAReplayHeadlineSaysItReplayedCassettes(t *testing.T) {
	for _, src := range []string{"sandbox", "environment", ""} {
		run := liveRun()
		run.Mode, run.CassetteSource = "replay", src
		run.Target.BaseURL = "https://api-qa.mrwinston.com"
		d := Build(ginkgoReport(t, allPassing()...), testCatalogue(t), run, nil, nil)
		if strings.Contains(d.Summary, "against") || strings.Contains(d.Summary, "api-qa.mrwinston.com") {
			t.Errorf("source %q: a replay ran against no server, but the summary says: %s", src, d.Summary)
		}
		if !strings.Contains(d.Summary, "replayed") || !strings.Contains(d.Summary, "cassettes") {
			t.Errorf("source %q: the summary must say the answers were replayed from cassettes: %s", src, d.Summary)
		}
		if src == "sandbox" && !strings.Contains(d.Summary, "sandbox") {
			t.Errorf("the summary must say the cassettes were recorded from the sandbox: %s", d.Summary)
		}
	}
}

// Every problem of a configuration error reaches the summary and go-live
// reason, not just the first line of it.
func TestEveryLineOfAConfigurationErrorReachesTheSummary(t *testing.T) {
	run := liveRun()
	run.ConfigError = "WINSTON_TIMEOUT=\"forever\": is not a Go duration; fix: set it to e.g. 15s\n" +
		"WINSTON_RETRIES=\"99\": is more than 10; fix: set it to 0..10"
	d := ConfigErrorDocument(testCatalogue(t), run)
	for _, want := range []string{"WINSTON_TIMEOUT", "WINSTON_RETRIES"} {
		if !strings.Contains(d.Summary, want) {
			t.Errorf("the summary drops %s: %s", want, d.Summary)
		}
		if !strings.Contains(d.GoLive.Reason, want) {
			t.Errorf("the go-live reason drops %s: %s", want, d.GoLive.Reason)
		}
	}
}
