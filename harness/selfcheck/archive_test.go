package selfcheck

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path) // #nosec G304 -- a test's own file
	if err != nil {
		t.Fatalf("the earlier result is gone: %v", err)
	}
	return string(data)
}

// A new selfcheck keeps the previous one's results: its files and run
// directories move into a folder named after its start, and a second
// archive of the same start gets its own folder.
func TestArchivePreviousKeepsTheEarlierSelfcheck(t *testing.T) {
	out := t.TempDir()
	old := `{"start":"2026-11-21T12:00:00Z","rows":[{"fault":"faithful"},{"fault":"retired-fault"}]}`
	writeFile(t, filepath.Join(out, JSONFile), old)
	writeFile(t, filepath.Join(out, MarkdownFile), "# old matrix")
	writeFile(t, filepath.Join(out, Faithful, "report.json"), "faithful report")
	writeFile(t, filepath.Join(out, "redirect-301", "suite.log"), "old log")
	writeFile(t, filepath.Join(out, "retired-fault", "suite.log"), "a fault no longer registered")
	writeFile(t, filepath.Join(out, "notes.txt"), "not ours")
	if err := archivePrevious(out); err != nil {
		t.Fatal(err)
	}
	kept := filepath.Join(out, "20261121-120000")
	for path, want := range map[string]string{
		JSONFile: old, MarkdownFile: "# old matrix", filepath.Join(Faithful, "report.json"): "faithful report",
		filepath.Join("redirect-301", "suite.log"): "old log", filepath.Join("retired-fault", "suite.log"): "a fault no longer registered",
	} {
		if got := readFile(t, filepath.Join(kept, path)); got != want {
			t.Errorf("%s: got %q, want %q", path, got, want)
		}
		if _, err := os.Stat(filepath.Join(out, path)); err == nil {
			t.Errorf("%s is still in the output directory, where the new selfcheck writes", path)
		}
	}
	if readFile(t, filepath.Join(out, "notes.txt")) != "not ours" {
		t.Error("a file the selfcheck did not write was moved")
	}
	writeFile(t, filepath.Join(out, JSONFile), `{"start":"2026-11-21T12:00:00Z"}`)
	if err := archivePrevious(out); err != nil {
		t.Fatal(err)
	}
	if readFile(t, filepath.Join(out, "20261121-120000-2", JSONFile)) != `{"start":"2026-11-21T12:00:00Z"}` {
		t.Error("a second selfcheck of the same start overwrote the first archive")
	}
	if err := archivePrevious(t.TempDir()); err != nil {
		t.Errorf("an empty directory: %v", err)
	}
}

// Run itself keeps the earlier results (a stand-in suite keeps it quick).
func TestRunKeepsThePreviousResults(t *testing.T) {
	out := t.TempDir()
	writeFile(t, filepath.Join(out, JSONFile), `{"start":"2026-11-21T12:00:00Z"}`)
	writeFile(t, filepath.Join(out, Faithful, "report.json"), "earlier faithful report")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := Run(ctx, Options{RepoRoot: repoRoot(t), SuiteBinary: fakeSuite(t, "exit 0"), OutDir: out, Parallel: 1,
		Faults: []string{"redirect-301"}, Timeout: 30 * time.Second}); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, filepath.Join(out, "20261121-120000", Faithful, "report.json")); got != "earlier faithful report" {
		t.Errorf("the earlier faithful report: %q", got)
	}
	if _, err := os.Stat(filepath.Join(out, JSONFile)); err != nil {
		t.Errorf("the new selfcheck.json: %v", err)
	}
}
