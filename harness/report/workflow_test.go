package report

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// workflowPath is the nightly CI example, relative to this package.
const workflowPath = "../../.github/workflows/nightly.yml"

// TestNightlyWorkflowFollowsTheExitCodes keeps the CI example in step with
// the exit codes this package defines: only a contract violation (and a
// broken setup) fails the job, an outage is a warning.
func TestNightlyWorkflowFollowsTheExitCodes(t *testing.T) {
	data, err := os.ReadFile(workflowPath)
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		Jobs map[string]struct {
			Steps []struct {
				Name string            `yaml:"name"`
				Uses string            `yaml:"uses"`
				Run  string            `yaml:"run"`
				Env  map[string]string `yaml:"env"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(data, &wf); err != nil {
		t.Fatalf("%s is not valid YAML: %v", workflowPath, err)
	}
	job, ok := wf.Jobs["conformance"]
	if !ok {
		t.Fatal("no conformance job")
	}
	steps := map[string]string{}
	uses := map[string]bool{}
	for _, s := range job.Steps {
		steps[s.Name] = s.Run
		uses[strings.Split(s.Uses, "@")[0]] = true
		if s.Name == "Run the suite against the test environment" && s.Env["WINSTON_API_KEY"] != "${{ secrets.WINSTON_API_KEY }}" {
			t.Error("the suite must take WINSTON_API_KEY from the CI secret store")
		}
	}
	verdict := steps["Verdict"]
	for code, want := range map[int]string{
		ExitPass:               fmt.Sprintf("%d) echo \"Pass", ExitPass),
		ExitFail:               fmt.Sprintf("%d) echo \"::error::Contract violation", ExitFail),
		ExitUnavailable:        fmt.Sprintf("%d) echo \"::warning::", ExitUnavailable),
		ExitConfigError:        fmt.Sprintf("%d) echo \"::error::Configuration error", ExitConfigError),
		ExitInterrupted:        fmt.Sprintf("%d) echo \"::error::Interrupted", ExitInterrupted),
		ExitUnavailableTooLong: fmt.Sprintf("%d) echo \"::error::No contract verdict for three nights", ExitUnavailableTooLong),
	} {
		if !strings.Contains(verdict, want) {
			t.Errorf("the Verdict step does not handle exit code %d as %q", code, want)
		}
	}
	if line := lineWith(verdict, fmt.Sprintf("%d)", ExitUnavailable)); strings.Contains(line, "exit 1") {
		t.Error("an outage must not fail the nightly job")
	}
	// One unavailable night is a warning, three in a row a failure: the
	// suite step must give the verdict the history to count them in.
	if line := lineWith(verdict, fmt.Sprintf("%d)", ExitUnavailableTooLong)); !strings.Contains(line, "exit 1") ||
		!strings.Contains(steps["Run the suite against the test environment"], `-history "$REPORTS/history" -max-unavailable 3`) {
		t.Error("three unavailable nights in a row must fail the nightly job: the suite step runs verdict with -history and -max-unavailable 3")
	}
	if line := lineWith(verdict, fmt.Sprintf("%d)", ExitInterrupted)); !strings.Contains(line, "exit 1") {
		t.Error("an interrupted run judged nothing to the end: it must fail the nightly job, never pass it")
	}
	if !uses["actions/upload-artifact"] || !strings.Contains(steps["Restore the previous night's reports (baseline and history)"], "gh run download") {
		t.Error("the workflow must upload the reports and restore the previous night's as the baseline")
	}
	if !strings.Contains(steps["Compare with the previous night"], "make compare BASELINE=") {
		t.Error("the workflow must compare with the baseline")
	}
	// A grep for the key as is misses it URL-encoded, base64 or escaped:
	// the leak check must be the report scan (ScanDir), and fail closed.
	leak := steps["Check for leaked keys"]
	if !strings.Contains(leak, "-scan-keys \"$REPORTS/current\"") || strings.Contains(leak, "grep") {
		t.Errorf("the leak check must run the report scan (verdict -scan-keys), not grep:\n%s", leak)
	}
	if !strings.Contains(leak, "rm -rf \"$REPORTS/current\"") {
		t.Error("a leak (or a scan that could not run) must keep the report from being uploaded")
	}
}

func lineWith(text, prefix string) string {
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), prefix) {
			return l
		}
	}
	return ""
}
