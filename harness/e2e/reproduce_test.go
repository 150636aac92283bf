package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/winston-conformance/winston-conformance/harness/config"
	"github.com/winston-conformance/winston-conformance/harness/sandbox"
)

// A sandbox run's reproduce line left out WINSTON_NOW, WINSTON_PROFILE,
// WINSTON_KNOWN_ISSUES and WINSTON_ALLOW_MUTATIONS, so its rerun resolved
// the list fixtures against another day and six list checks failed. The
// line, run by a shell that holds only the keys, must set every variable
// of the run that changes what is sent or how it is judged, to the same
// value, and the rerun must judge every requirement the same way.
func TestAReproduceLineRerunsTheSameRun(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh to run the line")
	}
	srv, _ := startSandbox(t, sandbox.Options{})
	dir := t.TempDir()
	profile := filepath.Join(dir, "my profile.yaml")
	ledger := filepath.Join(dir, "known-issues.yaml")
	for path, content := range map[string]string{
		profile: "name: Acme\nendpoints: [bills, categories]\n",
		ledger:  "entries:\n  - id: AUTH-003\n    note: \"ticket 1234\"\n    expires: 2099-12-31\n",
	} {
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	env := liveEnv(srv, "", "")
	env[config.EnvProfile] = profile
	env[config.EnvKnownIssues] = ledger
	env[config.EnvAllowMutations] = "true"
	env[config.EnvRetries] = "1"
	first := runSuite(t, env, focus("LIST-00", "BILL-001", "AUTH-001"))
	doc := first.mustDoc(t)

	prefix, _, ok := strings.Cut(doc.Run.Command, " go tool ginkgo")
	if !ok {
		t.Fatalf("run.command is not an environment and a ginkgo command: %s", doc.Run.Command)
	}
	cmd := exec.CommandContext(t.Context(), sh, "-c", prefix+" env")
	// The reader's shell: the keys from their secret store, nothing else
	// of the suite's.
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"),
		config.EnvAPIKey + "=" + env[config.EnvAPIKey], config.EnvAPIKey2 + "=" + env[config.EnvAPIKey2]}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("sh -c %q: %v", prefix, err)
	}
	rerun := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok && strings.HasPrefix(k, "WINSTON_") {
			rerun[k] = v
		}
	}
	// A setting at its default may be left off the line: the rerun gets
	// the same value without it.
	defaults := map[string]string{config.EnvAppName: config.DefaultAppName, config.EnvAuthScheme: config.SchemeToken}
	for k, v := range env {
		if _, set := rerun[k]; !set && defaults[k] == v {
			continue
		}
		if rerun[k] != v {
			t.Errorf("the reproduce line sets %s=%q, the run had %q: %s", k, rerun[k], v, doc.Run.Command)
		}
	}
	for _, key := range []string{env[config.EnvAPIKey], env[config.EnvAPIKey2]} {
		if strings.Contains(doc.Run.Command, key) {
			t.Fatalf("the reproduce line holds a key: %s", doc.Run.Command)
		}
	}

	second := runSuite(t, rerun, focus("LIST-00", "BILL-001", "AUTH-001"))
	again := second.mustDoc(t)
	if again.Verdict != doc.Verdict {
		t.Errorf("the rerun's verdict is %s, the run's %s: %s", again.Verdict, doc.Verdict, again.Summary)
	}
	for _, r := range doc.Requirements {
		if got := second.requirement(t, r.ID); got.Status != r.Status {
			t.Errorf("%s: %s on the rerun, %s on the run", r.ID, got.Status, r.Status)
		}
	}
}
