package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/winston-conformance/winston-conformance/harness/sandbox"
)

// workflow is the part of .github/workflows/nightly.yml the nightly test
// runs.
type workflow struct {
	Jobs map[string]struct {
		Env   map[string]string `yaml:"env"`
		Steps []workflowStep    `yaml:"steps"`
	} `yaml:"jobs"`
}

type workflowStep struct {
	Name string            `yaml:"name"`
	If   string            `yaml:"if"`
	Uses string            `yaml:"uses"`
	Run  string            `yaml:"run"`
	Env  map[string]string `yaml:"env"`
	With map[string]string `yaml:"with"`
}

// nightResult is what one simulated night of the workflow left.
type nightResult struct {
	exits    map[string]int // step name -> exit status; absent: skipped
	log      string
	artifact string // the uploaded artifact's directory
	reports  string // $REPORTS of that night
}

// fakeGH stands in for the GitHub CLI: run list prints the stored runs,
// newest first; run download copies a stored artifact.
const fakeGH = `#!/usr/bin/env bash
case "$1 $2" in
  "run list") ls -1 "$FAKE_ARTIFACTS" 2>/dev/null | sort -rn ;;
  "run download") id=$3; shift 3; dir=; name=
    while [ $# -gt 0 ]; do case "$1" in --dir) dir=$2; shift;; --name) name=$2; shift;; esac; shift; done
    [ -d "$FAKE_ARTIFACTS/$id/$name" ] || { echo "no artifact $name in run $id" >&2; exit 1; }
    mkdir -p "$dir" && cp -R "$FAKE_ARTIFACTS/$id/$name/." "$dir/" ;;
  *) echo "fake gh: unexpected: $*" >&2; exit 1 ;;
esac
`

var expression = regexp.MustCompile(`\$\{\{\s*([^}]+?)\s*\}\}`)

// runNight runs the workflow's steps as Actions would on a fresh checkout
// (a directory of links to this one), against srv, as run runID. GitHub's
// run steps are bash -eo pipefail; actions are simulated: checkout and
// setup-go are already done, upload-artifact copies into artifacts.
func runNight(t *testing.T, wf workflow, srv *sandbox.Server, artifacts, bin string, runID int) nightResult {
	t.Helper()
	ws := t.TempDir()
	for _, f := range []string{"Makefile", "go.mod", "go.sum", "harness", "suites", "schemas", "cassettes", ".github"} {
		if err := os.Symlink(filepath.Join(repoRoot, f), filepath.Join(ws, f)); err != nil {
			t.Fatal(err)
		}
	}
	files := map[string]string{}
	for _, f := range []string{"GITHUB_ENV", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY"} {
		files[f] = filepath.Join(ws, ".."+f)
		if err := os.WriteFile(files[f], nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	target := srv.TargetEnv()
	vars := map[string]string{"WINSTON_BASE_URL": target["WINSTON_BASE_URL"], "WINSTON_HTTP_URL": target["WINSTON_HTTP_URL"]}
	secrets := map[string]string{"WINSTON_API_KEY": sandbox.DefaultKey, "WINSTON_API_KEY_2": sandbox.DefaultKey2}
	outputs := map[string]string{}
	subst := func(s string) string {
		return expression.ReplaceAllStringFunc(s, func(m string) string {
			e := expression.FindStringSubmatch(m)[1]
			switch {
			case strings.HasPrefix(e, "vars."):
				return vars[strings.TrimPrefix(e, "vars.")]
			case strings.HasPrefix(e, "secrets."):
				return secrets[strings.TrimPrefix(e, "secrets.")]
			case e == "github.workspace":
				return ws
			case e == "github.token":
				return "test-token"
			case strings.HasPrefix(e, "steps.suite.outputs."):
				return outputs[strings.TrimPrefix(e, "steps.suite.outputs.")]
			}
			t.Fatalf("the nightly test does not know the expression %s: teach it", m)
			return ""
		})
	}
	env := map[string]string{}
	for _, kv := range environWithoutWinston() {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	env["PATH"] = bin + string(os.PathListSeparator) + env["PATH"]
	env["FAKE_ARTIFACTS"] = artifacts
	env["RUNNER_TEMP"] = t.TempDir()
	env["GITHUB_REF_NAME"] = "main"
	for k, f := range files {
		env[k] = f
	}
	job := wf.Jobs["conformance"]
	for k, v := range job.Env {
		env[k] = subst(v)
	}
	// What the sandbox needs beyond the documented setup, and a short run.
	env["WINSTON_CA_FILE"] = target["WINSTON_CA_FILE"]
	env["WINSTON_NOW"] = target["WINSTON_NOW"]
	env["WINSTON_MAX_RPS"] = "0"
	env["WINSTON_CASSETTE_CACHE"] = "off"
	env["FOCUS"] = "AUTH-001|SCHEMA-001"

	res := nightResult{exits: map[string]int{}, reports: env["REPORTS"]}
	var log bytes.Buffer
	failed := false
	for _, st := range job.Steps {
		readKV(t, files["GITHUB_ENV"], env)
		readKV(t, files["GITHUB_OUTPUT"], outputs)
		name := st.Name
		if name == "" {
			name = st.Uses
		}
		switch st.If {
		case "":
			if failed {
				continue
			}
		case "always()":
		case "always() && env.BASELINE != ''":
			if env["BASELINE"] == "" {
				continue
			}
		default:
			t.Fatalf("the nightly test does not know the condition %q of step %q: teach it", st.If, name)
		}
		if st.Uses != "" {
			action := strings.Split(st.Uses, "@")[0]
			switch action {
			case "actions/checkout", "actions/setup-go":
			case "actions/upload-artifact":
				res.artifact = filepath.Join(artifacts, fmt.Sprint(runID), st.With["name"])
				if err := os.CopyFS(res.artifact, os.DirFS(filepath.Join(ws, st.With["path"]))); err != nil {
					t.Fatalf("upload %s: %v", st.With["path"], err)
				}
			default:
				t.Fatalf("the nightly test does not know the action %s: teach it", st.Uses)
			}
			res.exits[name] = 0
			continue
		}
		stepEnv := map[string]string{}
		for k, v := range env {
			stepEnv[k] = v
		}
		for k, v := range st.Env {
			stepEnv[k] = subst(v)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 3*runTimeout)
		cmd := exec.CommandContext(ctx, "bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", subst(st.Run)) // #nosec G204 -- the repository's own workflow
		cmd.Dir = ws
		for k, v := range stepEnv {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		fmt.Fprintf(&log, "== %s\n", name)
		cmd.Stdout, cmd.Stderr = &log, &log
		err := cmd.Run()
		cancel()
		code := 0
		var exit *exec.ExitError
		switch {
		case errors.As(err, &exit):
			code = exit.ExitCode()
		case err != nil:
			t.Fatalf("step %q: %v", name, err)
		}
		res.exits[name] = code
		if code != 0 {
			failed = true
		}
	}
	res.log = log.String()
	return res
}

// readKV adds the NAME=value lines of a GITHUB_ENV or GITHUB_OUTPUT file.
func readKV(t *testing.T, path string, into map[string]string) {
	t.Helper()
	data, err := os.ReadFile(path) // #nosec G304 -- the test's own file
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			into[k] = v
		}
	}
}

// The nightly workflow, run as written on two nights: the first has no
// baseline and passes; on the second the API sends a bill total as a
// string, so the job fails on the contract violation, the comparison with
// the first night (restored from its artifact) names the shape drift, and
// the artifact carries both nights' history. Only the GitHub CLI and the
// actions are simulated; every run step, make target and path is the
// workflow's own.
func TestNightlyWorkflowAsWrittenOverTwoNights(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed: apt-get install make")
	}
	data, err := os.ReadFile(filepath.Join(repoRoot, ".github", "workflows", "nightly.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var wf workflow
	if err := yaml.Unmarshal(data, &wf); err != nil {
		t.Fatal(err)
	}
	bin, artifacts := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "gh"), []byte(fakeGH), 0o700); err != nil { // #nosec G306 -- a test script that must run
		t.Fatal(err)
	}

	good, _ := startSandbox(t, sandbox.Options{})
	first := runNight(t, wf, good, artifacts, bin, 1)
	if first.exits["Verdict"] != 0 || !strings.Contains(first.log, "No earlier report found") {
		t.Fatalf("night 1 (no baseline, a faithful target) must pass and say there is no baseline: %v\n%s", first.exits, tail(first.log))
	}
	if _, ran := first.exits["Compare with the previous night"]; ran {
		t.Errorf("night 1 has no baseline, yet the comparison ran")
	}
	assertFiles(t, first.artifact, "latest/report.json", "latest/report.md", "history/*/report.json")

	time.Sleep(time.Second) // the history folders are named by the second
	bad, _ := startSandbox(t, sandbox.Options{Faults: []string{"number-as-string"}})
	second := runNight(t, wf, bad, artifacts, bin, 2)
	if second.exits["Verdict"] != 1 {
		t.Errorf("night 2 (a contract violation) must fail the job in the Verdict step: %v\n%s", second.exits, tail(second.log))
	}
	if second.exits["Compare with the previous night"] != 0 {
		t.Errorf("night 2 must compare with night 1: %v\n%s", second.exits, tail(second.log))
	}
	cmp, err := os.ReadFile(filepath.Join(second.reports, "current", "compare.md"))
	if err != nil || !strings.Contains(string(cmp), "changed type number -> string") {
		t.Errorf("night 2's compare.md must name the shape drift (%v):\n%s\n%s", err, cmp, tail(second.log))
	}
	if n := len(glob(t, filepath.Join(second.artifact, "history", "*", "report.json"))); n != 2 {
		t.Errorf("night 2's artifact must carry both nights' history, has %d", n)
	}
	if second.exits["Check for leaked keys"] != 0 {
		t.Errorf("the leak check must pass on a clean report:\n%s", tail(second.log))
	}
}

func assertFiles(t *testing.T, dir string, patterns ...string) {
	t.Helper()
	for _, p := range patterns {
		if len(glob(t, filepath.Join(dir, p))) == 0 {
			t.Errorf("the artifact %s lacks %s", dir, p)
		}
	}
}

func glob(t *testing.T, pattern string) []string {
	t.Helper()
	m, err := filepath.Glob(pattern)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
