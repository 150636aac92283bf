package report

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/winston-conformance/winston-conformance/harness/config"
	"github.com/winston-conformance/winston-conformance/harness/redact"
)

func TestSuiteVersionDoesNotDependOnTheWorkingDirectory(t *testing.T) {
	t.Setenv("WINSTON_SUITE_VERSION", "")
	inRepo := detectVersion()
	// Ginkgo runs a prebuilt suite binary from the binary's directory,
	// outside the checkout: the version must not change with it.
	t.Chdir(t.TempDir())
	if got := detectVersion(); got != inRepo {
		t.Errorf("version from outside the checkout %q, from inside %q", got, inRepo)
	}
	root := sourceRoot()
	if _, err := os.Stat(filepath.Join(root, "suites")); err != nil {
		t.Errorf("sourceRoot %q is not the checkout this package was built from", root)
	}
}

// In a checkout, git names the version, local changes included:
// WINSTON_SUITE_VERSION (for a copy without .git) cannot hide a modified
// suite as a released one.
func TestSuiteVersionFromTheEnvironmentDoesNotHideTheCheckout(t *testing.T) {
	t.Setenv("WINSTON_SUITE_VERSION", "")
	fromGit := detectVersion()
	t.Setenv("WINSTON_SUITE_VERSION", "v9.9.9-certified")
	if got := detectVersion(); got != fromGit || strings.Contains(got, "certified") {
		t.Errorf("in a checkout the variable named the version: got %q, git says %q", got, fromGit)
	}
}

// A binary built with StampFlags names the stamped version, without git
// and whatever WINSTON_SUITE_VERSION says: -X ignores a symbol it does not
// find, so only a build shows that StampFlags names the right one.
func TestStampFlagsNameTheVersionInTheBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	root := sourceRoot()
	flags := StampFlags(t.Context(), root)
	if len(flags) != 1 {
		t.Skipf("no git checkout at %q to stamp from", root)
	}
	want := GitDescribe(t.Context(), root)
	bin := filepath.Join(t.TempDir(), "printversion")
	args := append([]string{"build", "-o", bin}, flags...)
	goTool, err := config.GoCommand()
	if err != nil {
		t.Fatal(err)
	}
	build := exec.CommandContext(t.Context(), goTool, append(args, "./harness/report/testdata/printversion")...)
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	run := exec.CommandContext(t.Context(), bin)
	run.Env = append(os.Environ(), "WINSTON_SUITE_VERSION=from-the-environment", "PATH=")
	out, err := run.Output()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(out)); got != want {
		t.Errorf("the stamped binary names itself %q, want %q (git describe at build)", got, want)
	}
}

// The Makefile stamps the suite it runs with the same symbol as StampFlags,
// and keeps only the versions StampFlags would.
func TestMakefileStampsTheSameSymbol(t *testing.T) {
	mk, err := os.ReadFile(filepath.Join(sourceRoot(), "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(mk), "-X "+stampSymbol+"=") {
		t.Errorf("the Makefile does not stamp %s: update STAMP_FLAG with the variable StampFlags sets", stampSymbol)
	}
	if rule := strings.ReplaceAll(safeVersion.String(), "$", "$$"); !strings.Contains(string(mk), "grep -E '"+rule+"'") {
		t.Errorf("the Makefile does not filter SUITE_VERSION with %s, the rule of GitDescribe", rule)
	}
}

// The reproduce lines must run the same checks again against the same
// target: the whole run's command keeps its focus, and every line names
// the variables the run needed (the keys by name only, never a value).
func TestReproduceLinesNameEverythingARerunNeeds(t *testing.T) {
	run := liveRun()
	run.Config = config.Redacted{Mode: "live", CAFile: "/etc/winston/ca.pem", APIKey: "set", APIKey2: "set", Catalogue: "embedded"}
	r := ginkgoReport(t, allPassing()...)
	r.SuiteConfig.FocusStrings = []string{"AUTH-00[12]"}
	d := Build(r, testCatalogue(t), run, nil, nil)
	wants := []string{
		"WINSTON_MODE=live", "WINSTON_BASE_URL=" + testBase, "WINSTON_HTTP_URL=http://api-qa.example.test",
		`WINSTON_API_KEY="$WINSTON_API_KEY"`, `WINSTON_API_KEY_2="$WINSTON_API_KEY_2"`, "WINSTON_CA_FILE=/etc/winston/ca.pem",
	}
	for _, want := range append(wants, "--focus='AUTH-00[12]'") {
		if !strings.Contains(d.Run.Command, want) {
			t.Errorf("run.command lacks %s: %s", want, d.Run.Command)
		}
	}
	for _, want := range wants {
		if !strings.Contains(d.Requirements[0].Focus, want) {
			t.Errorf("the reproduce line of %s lacks %s: %s", d.Requirements[0].ID, want, d.Requirements[0].Focus)
		}
	}
}

// A setting that holds a secret (an app name shaped like a key, a path
// with a key in it) is written by name, as the keys are: a placeholder in
// quotes would rerun with the placeholder as its value.
func TestReproduceLinesNameASecretSettingByName(t *testing.T) {
	const app = "AppNameThatIsAKey-0123456789"
	redact.Global().Add(app, "<app name shaped like a key>")
	run := liveRun()
	run.Target.AppName = app
	run.Config = config.Redacted{Mode: "live", CAFile: "/etc/" + app + "/ca.pem", APIKey: "set", Catalogue: "/cat/" + app + ".yaml"}
	d := Build(ginkgoReport(t, allPassing()...), testCatalogue(t), run, nil, nil)
	for _, line := range []string{d.Run.Command, d.Requirements[0].Focus} {
		for _, want := range []string{`WINSTON_APP_NAME="$WINSTON_APP_NAME"`, `WINSTON_CA_FILE="$WINSTON_CA_FILE"`, `WINSTON_CATALOGUE="$WINSTON_CATALOGUE"`} {
			if !strings.Contains(line, want) {
				t.Errorf("want %s in %s", want, line)
			}
		}
		if strings.Contains(line, app) || strings.Contains(line, "<app name") {
			t.Errorf("the reproduce line holds the secret or its placeholder: %s", line)
		}
	}
}

// A placeholder has < and >, which a shell reads as redirections: a value
// redacted after quoting would come out bare (a focus that was only
// letters and digits needs no quotes) and the pasted line would clobber a
// file. Values are redacted first, then quoted.
func TestAPlaceholderInAReproduceLineIsQuoted(t *testing.T) {
	const secret = "FocusSecret0123456789abcdef"
	redact.Global().Add(secret, "<WINSTON_API_KEY>")
	r := ginkgoReport(t, allPassing()...)
	r.SuiteConfig.FocusStrings = []string{secret}
	d := Build(r, testCatalogue(t), liveRun(), nil, nil)
	if !strings.Contains(d.Run.Command, "--focus='<WINSTON_API_KEY>'") {
		t.Errorf("the placeholder is not quoted: %s", d.Run.Command)
	}
}

// A sandbox run set its reference time, profile, ledger and mutation
// switch: a reproduce line without them reruns against other fixtures and
// judges by other rules (six list checks failed on a rerun). Every setting
// that changes what is sent or how it is judged is on the line when the
// run set it, and none of the defaults is.
func TestReproduceLinesCarryTheSettingsThatJudge(t *testing.T) {
	run := liveRun()
	run.Config = config.Redacted{Mode: "live", APIKey: "set", Catalogue: "embedded", Now: "2026-11-21T12:00:00Z",
		Profile: "/work/profile.yaml", KnownIssues: "/work/known.yaml", AllowMutations: true, AllowMutationsSet: true,
		Timeout: "30s", MaxRPS: 2.5, Retries: 0, Concurrency: 8, MaxBody: 1 << 20}
	d := Build(ginkgoReport(t, allPassing()...), testCatalogue(t), run, nil, nil)
	wants := []string{"WINSTON_NOW=2026-11-21T12:00:00Z", "WINSTON_PROFILE=/work/profile.yaml",
		"WINSTON_KNOWN_ISSUES=/work/known.yaml", "WINSTON_ALLOW_MUTATIONS=true", "WINSTON_TIMEOUT=30s",
		"WINSTON_MAX_RPS=2.5", "WINSTON_RETRIES=0", "WINSTON_CONCURRENCY=8", "WINSTON_MAX_BODY=1048576"}
	for _, line := range []string{d.Run.Command, d.Requirements[0].Focus} {
		for _, want := range wants {
			if !strings.Contains(line, want) {
				t.Errorf("want %s in %s", want, line)
			}
		}
	}

	run.Config = config.Redacted{Mode: "live", APIKey: "set", Catalogue: "embedded", AllowMutations: true,
		Timeout: "15s", MaxRPS: config.DefaultMaxRPS, Retries: config.DefaultRetries,
		Concurrency: config.DefaultConcurrency, MaxBody: config.DefaultMaxBody}
	d = Build(ginkgoReport(t, allPassing()...), testCatalogue(t), run, nil, nil)
	for _, unwanted := range []string{"WINSTON_NOW", "WINSTON_PROFILE", "WINSTON_KNOWN_ISSUES", "WINSTON_TIMEOUT",
		"WINSTON_MAX_RPS", "WINSTON_RETRIES", "WINSTON_CONCURRENCY", "WINSTON_MAX_BODY",
		// The host policy allowed mutations: a line pasted with another
		// base URL must not turn them on by itself.
		"WINSTON_ALLOW_MUTATIONS"} {
		if strings.Contains(d.Run.Command, unwanted) {
			t.Errorf("%s was not set for the run, yet the line has it: %s", unwanted, d.Run.Command)
		}
	}
}

// A replay run read its own cassette folder: the rerun must read it too.
func TestReproduceLinesOfAReplayNameTheCassetteFolder(t *testing.T) {
	run := liveRun()
	run.Mode = "replay"
	run.Config = config.Redacted{Mode: "replay", Catalogue: "embedded", CassetteDir: "/work/my cassettes", Timeout: "15s",
		MaxRPS: config.DefaultMaxRPS, Retries: config.DefaultRetries, Concurrency: config.DefaultConcurrency, MaxBody: config.DefaultMaxBody}
	d := Build(ginkgoReport(t, allPassing()...), testCatalogue(t), run, nil, nil)
	if want := "WINSTON_CASSETTE_DIR='/work/my cassettes'"; !strings.Contains(d.Run.Command, want) {
		t.Errorf("want %s in %s", want, d.Run.Command)
	}
	run.Config = config.Redacted{Mode: "replay", Catalogue: "embedded", CassetteDir: filepath.Join(sourceRoot(), "cassettes")}
	if d := Build(ginkgoReport(t, allPassing()...), testCatalogue(t), run, nil, nil); strings.Contains(d.Run.Command, "WINSTON_CASSETTE_DIR") {
		t.Errorf("the default cassette folder needs no setting: %s", d.Run.Command)
	}
}

// The values go through a shell: one with spaces, quotes, $ or a
// backquote must reach the rerun as it was, and run nothing.
func TestReproduceLineValuesSurviveTheShell(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh to run the line")
	}
	profile := "/tmp/it's a $HOME `touch pwned` profile.yaml"
	run := liveRun()
	run.Config = config.Redacted{Mode: "live", APIKey: "set", Catalogue: "embedded", Profile: profile}
	line := runEnv(run) + " printenv WINSTON_PROFILE"
	cmd := exec.CommandContext(t.Context(), sh, "-c", line)
	cmd.Dir = t.TempDir()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("sh -c %s: %v", line, err)
	}
	if got := strings.TrimSuffix(string(out), "\n"); got != profile {
		t.Errorf("the shell read WINSTON_PROFILE as %q, want %q (line: %s)", got, profile, line)
	}
	if _, err := os.Stat(filepath.Join(cmd.Dir, "pwned")); err == nil {
		t.Errorf("the line ran a command from a value: %s", line)
	}
}

// A reference time or path that holds a registered secret is written by
// name, never by value.
func TestReproduceLinesNameASecretJudgingSettingByName(t *testing.T) {
	const secret = "ProfileKeyLike-0123456789abcdef"
	redact.Global().Add(secret, "<profile shaped like a key>")
	run := liveRun()
	run.Config = config.Redacted{Mode: "live", APIKey: "set", Catalogue: "embedded", Profile: "/p/" + secret + ".yaml",
		KnownIssues: "/k/" + secret}
	d := Build(ginkgoReport(t, allPassing()...), testCatalogue(t), run, nil, nil)
	for _, want := range []string{`WINSTON_PROFILE="$WINSTON_PROFILE"`, `WINSTON_KNOWN_ISSUES="$WINSTON_KNOWN_ISSUES"`} {
		if !strings.Contains(d.Run.Command, want) {
			t.Errorf("want %s in %s", want, d.Run.Command)
		}
	}
	if strings.Contains(d.Run.Command, secret) || strings.Contains(d.Run.Command, "<profile") {
		t.Errorf("the line holds the secret or its placeholder: %s", d.Run.Command)
	}
}
