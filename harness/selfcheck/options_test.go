package selfcheck

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakeRepo is a directory that passes for a checkout: it has suites/.
func fakeRepo(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, "suites"), 0o750); err != nil {
		t.Fatal(err)
	}
	return root
}

func TestNormalizeReportsEveryProblem(t *testing.T) {
	_, _, err := Options{Parallel: -1, Timeout: -time.Second, Faults: []string{"no-such-fault"}}.normalize()
	if err == nil {
		t.Fatal("empty options must be refused")
	}
	for _, want := range []string{
		"RepoRoot is empty", "SuiteBinary is empty", "OutDir is empty",
		"Parallel is -1", "Timeout is -1s",
		`unknown fault "no-such-fault": use one of`, "redirect-301",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error lacks %q:\n%v", want, err)
		}
	}
}

func TestNormalizeChecksPaths(t *testing.T) {
	_, _, err := Options{RepoRoot: t.TempDir(), SuiteBinary: t.TempDir(), OutDir: "x"}.normalize()
	if err == nil || !strings.Contains(err.Error(), "has no suites/ directory") || !strings.Contains(err.Error(), "is not a file") {
		t.Errorf("a repo without suites/ and a directory as binary must be refused, got %v", err)
	}
}

func TestNormalizeDefaults(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "suite.test")
	if err := os.WriteFile(bin, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	o, faults, err := Options{RepoRoot: fakeRepo(t), SuiteBinary: bin, OutDir: "relative/out"}.normalize()
	if err != nil {
		t.Fatal(err)
	}
	if o.Parallel != DefaultParallel() || o.Timeout != DefaultTimeout {
		t.Errorf("defaults: parallel %d timeout %v", o.Parallel, o.Timeout)
	}
	if !filepath.IsAbs(o.OutDir) {
		t.Errorf("OutDir %q must be made absolute: the suite runs in another directory", o.OutDir)
	}
	if len(faults) < 40 {
		t.Errorf("no subset must mean every fault, got %d", len(faults))
	}
}

func TestSelectFaults(t *testing.T) {
	got, err := selectFaults([]string{"reset", "redirect-301", "reset", Faithful})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Name != "redirect-301" || got[1].Name != "reset" {
		t.Errorf("a subset is deduplicated, sorted, and faithful is implied: %+v", got)
	}
}
