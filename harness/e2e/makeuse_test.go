package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/winston-conformance/winston-conformance/harness/catalogue"
	"github.com/winston-conformance/winston-conformance/harness/report"
	"github.com/winston-conformance/winston-conformance/harness/sandbox"
)

// The README's configuration table says WINSTON_REPORT_DIR is where the
// report goes; make conformance used to replace it with its own directory
// under reports/, so a user (or CI) looked for the report where it was not.
func TestMakeConformanceWritesWhereWinstonReportDirSays(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "my-report")
	code, out := runMakeIn(t, repoRoot, []string{"WINSTON_REPORT_DIR=" + dir}, "conformance", "FOCUS=AUTH-001")
	if code != 0 {
		t.Fatalf("make conformance exited %d:\n%s", code, tail(out))
	}
	doc, err := report.ReadDocument(filepath.Join(dir, report.JSONFile))
	if err != nil {
		t.Fatalf("no report where WINSTON_REPORT_DIR=%s says: %v\n%s", dir, err, tail(out))
	}
	if doc.Counts.Passed != 1 {
		t.Errorf("the report in %s is not this run's (%d passed, want 1)", dir, doc.Counts.Passed)
	}
}

// FOCUS is a regular expression over IDs and titles, so FOCUS=auth used to
// run only the auth requirements whose title happens to hold the word
// (3 of 9) and pass, as if the family had been checked. A family name in
// FOCUS means the family.
func TestMakeConformanceFocusOnAFamilyRunsTheWholeFamily(t *testing.T) {
	dir := t.TempDir()
	code, out := runMake(t, "REPORT_DIR="+dir, "FOCUS=Auth")
	if code != 0 {
		t.Fatalf("make conformance FOCUS=Auth exited %d:\n%s", code, tail(out))
	}
	doc, err := report.ReadDocument(filepath.Join(dir, report.JSONFile))
	if err != nil {
		t.Fatal(err)
	}
	cat, err := catalogue.Default()
	if err != nil {
		t.Fatal(err)
	}
	family := map[string]string{}
	for _, r := range cat.Requirements {
		family[r.ID] = r.Family
	}
	for _, r := range doc.Requirements {
		ran := r.Status == report.StatusPassed || r.Status == report.StatusFailed
		switch {
		case family[r.ID] == catalogue.FamilyAuth && !ran:
			t.Errorf("%s (auth) did not run with FOCUS=Auth: %s %s", r.ID, r.Status, r.Reason)
		case family[r.ID] != catalogue.FamilyAuth && ran:
			t.Errorf("%s (%s) ran with FOCUS=Auth", r.ID, family[r.ID])
		}
	}
	if !strings.Contains(out, "family") {
		t.Errorf("the output should say that FOCUS=Auth was read as the auth family:\n%s", tail(out))
	}

	// Two families, as a pattern would name them, run both whole: the
	// pattern matched only the titles that held the words.
	dir = t.TempDir()
	if code, out = runMake(t, "REPORT_DIR="+dir, "FOCUS=auth|Schemas"); code != 0 {
		t.Fatalf("make conformance FOCUS=auth|Schemas exited %d:\n%s", code, tail(out))
	}
	if doc, err = report.ReadDocument(filepath.Join(dir, report.JSONFile)); err != nil {
		t.Fatal(err)
	}
	for _, r := range doc.Requirements {
		ran := r.Status == report.StatusPassed || r.Status == report.StatusFailed
		if want := family[r.ID] == catalogue.FamilyAuth || family[r.ID] == catalogue.FamilySchemas; ran != want {
			t.Errorf("%s (%s) with FOCUS=auth|Schemas: %s", r.ID, family[r.ID], r.Status)
		}
	}
}

// The Makefile lists the families to tell them from a FOCUS pattern; a
// family added to the catalogue must be added there too.
func TestMakefileKnowsEveryFamily(t *testing.T) {
	code, out := runMakeIn(t, repoRoot, nil, "-s", "families")
	if code != 0 {
		t.Fatalf("make families exited %d:\n%s", code, out)
	}
	if got, want := strings.Fields(out), catalogue.Families; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("the Makefile's FAMILIES are %v, the catalogue's %v", got, want)
	}
}

// harness/ holds a directory named conformance (and harness/cmd ones named
// compare and sandbox), so make run there by mistake used to find no
// Makefile, take the directory for the target, say "Nothing to be done"
// and exit 0, as if the run had passed.
func TestMakeFromASubdirectoryNamesTheRepositoryRoot(t *testing.T) {
	for _, c := range []struct{ dir, target, up string }{
		{"harness", "conformance", ".."},
		{"harness", "test", ".."},
		{"harness/cmd", "compare", "../.."},
		{"harness/cmd", "sandbox", "../.."},
		{"suites", "conformance", ".."},
		{"suites", "", ".."},
		{"cassettes", "record", ".."},
		{"schemas", "conformance", ".."},
		{"reports", "conformance", ".."},
		{"reports", "compare", ".."},
	} {
		var args []string
		if c.target != "" {
			args = append(args, c.target)
		}
		code, out := runMakeIn(t, filepath.Join(repoRoot, c.dir), nil, args...)
		if code == 0 {
			t.Errorf("make %s in %s/ exited 0:\n%s", c.target, c.dir, out)
		}
		target := c.target
		if target == "" {
			// Plain `make` means the run.
			target = "conformance"
		}
		if fix := "cd " + c.up + " && make " + target; !strings.Contains(out, "repository root") || !strings.Contains(out, fix) {
			t.Errorf("make %s in %s/ should say to run it from the repository root (%s):\n%s", c.target, c.dir, fix, out)
		}
	}
}

// Every top-level directory a user opens (the suites, the cassettes, the
// schemas, the reports) answers make with the way to the root Makefile:
// without one, `make conformance` in suites/ said "No rule to make target"
// and no more. A new top-level directory gets one too, or a reason here.
func TestEveryTopLevelDirectoryPointsMakeAtTheRoot(t *testing.T) {
	noMakefile := map[string]string{
		"bin": "build output, ignored by git",
	}
	entries, err := os.ReadDir(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") || noMakefile[e.Name()] != "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(repoRoot, e.Name(), "Makefile")); err != nil {
			t.Errorf("%s/ has no Makefile: make run there cannot say to run it from the repository root (%v)", e.Name(), err)
		}
	}
}

// A misspelt make variable (FOKUS=AUTH-001, focus=..., REPORTDIR=...) was
// silently ignored: the whole suite ran, or the report went elsewhere.
// The Makefile refuses a command-line variable it does not read, naming it
// and the ones it does.
func TestMakeRefusesAVariableItDoesNotRead(t *testing.T) {
	for _, typo := range []string{"FOKUS=AUTH-001", "focus=AUTH-001", "REPORTDIR=/tmp/x"} {
		name, _, _ := strings.Cut(typo, "=")
		code, out := runMakeIn(t, repoRoot, nil, "conformance", typo)
		if code == 0 {
			t.Errorf("make conformance %s exited 0 (the variable was ignored):\n%s", typo, tail(out))
			continue
		}
		if !strings.Contains(out, name) || !strings.Contains(out, "FOCUS") || strings.Contains(out, "Ran ") {
			t.Errorf("make conformance %s must stop before running, naming %s and the variables it reads:\n%s", typo, name, tail(out))
		}
	}
}

// The README has the integrator export WINSTON_BASE_URL for live runs;
// `make record` then records from that environment rather than from the
// sandbox, rewriting cassettes with its answers. It did so without a word;
// it now says where it records from and how to record from the sandbox.
func TestMakeRecordSaysWhereItRecordsFrom(t *testing.T) {
	srv, _ := startSandbox(t, sandbox.Options{})
	var env []string
	for k, v := range liveEnv(srv, "", "") {
		env = append(env, k+"="+v)
	}
	env = append(env, "WINSTON_CASSETTE_DIR="+t.TempDir())
	code, out := runMakeIn(t, repoRoot, env, "record", "FOCUS=AUTH-001", "REPORT_DIR="+t.TempDir())
	if code != 0 {
		t.Fatalf("make record exited %d:\n%s", code, tail(out))
	}
	if !strings.Contains(out, "recording from the target in WINSTON_BASE_URL") || !strings.Contains(out, "unset WINSTON_BASE_URL") {
		t.Errorf("make record must say it records from WINSTON_BASE_URL, and how to record from the sandbox instead:\n%s", tail(out))
	}
}

// A WINSTON_CONFIG file's reportDir is where make conformance writes, and
// without one the folder is named after the file's mode: make used to name
// it from WINSTON_MODE alone, so a live run configured by a file landed in
// reports/<time>-replay, and the file's reportDir was ignored.
func TestMakeConformanceFollowsTheConfigFile(t *testing.T) {
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "from-the-file")
	withDir := filepath.Join(tmp, "dir.yaml")
	if err := os.WriteFile(withDir, []byte("mode: replay\nreportDir: "+dir+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out := runMakeIn(t, repoRoot, []string{"WINSTON_CONFIG=" + withDir}, "conformance", "FOCUS=AUTH-001")
	if code != 0 {
		t.Fatalf("make conformance exited %d:\n%s", code, tail(out))
	}
	if _, err := report.ReadDocument(filepath.Join(dir, report.JSONFile)); err != nil {
		t.Errorf("no report where the file's reportDir says (%s): %v\n%s", dir, err, tail(out))
	}

	// Live without a key: a configuration error, reported in a folder
	// named after the file's mode, and named on the console.
	live := filepath.Join(tmp, "live.yaml")
	if err := os.WriteFile(live, []byte("mode: live\nbaseUrl: https://127.0.0.1:9\nhttpUrl: http://127.0.0.1:8\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, out = runMakeIn(t, repoRoot, []string{"WINSTON_CONFIG=" + live}, "conformance", "FOCUS=AUTH-001")
	m := regexp.MustCompile(`report: (\S+/reports/\d{8}-\d{6}(?:-\d+)?-live)/report\.html`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("the console names no reports/<time>-live folder:\n%s", tail(out))
	}
	t.Cleanup(func() { _ = os.RemoveAll(m[1]) })
	doc, err := report.ReadDocument(filepath.Join(m[1], report.JSONFile))
	if err != nil || doc.Verdict != report.VerdictConfigError || doc.Mode != "live" {
		t.Errorf("the report in %s: %v, %+v", m[1], err, doc)
	}
}
