package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A replay run with WINSTON_BASE_URL set (WINSTON_MODE=live forgotten)
// asked that host nothing: no title, JUnit suite name or target row may
// name it as what passed, and the run's problems say what was meant.
func TestAReplayNeverNamesTheConfiguredHostAsItsTarget(t *testing.T) {
	run := liveRun()
	run.Mode = "replay"
	run.CassetteSource = "sandbox"
	d := Build(ginkgoReport(t, allPassing()...), testCatalogue(t), run, nil, nil)
	if d.Verdict != VerdictPass {
		t.Fatalf("fixture: verdict %s", d.Verdict)
	}
	dir := t.TempDir()
	if err := d.Write(dir, nil); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{HTMLFile, JUnitFile, MarkdownFile} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		text := string(data)
		for _, bad := range []string{"<title>Winston conformance: PASS – " + testBase, `name="Winston conformance: ` + testBase, "| Target | " + testBase} {
			if strings.Contains(text, bad) {
				t.Errorf("%s names the host it never asked as the target: %q", name, bad)
			}
		}
		if !strings.Contains(text, "replay") {
			t.Errorf("%s does not say it is a replay", name)
		}
	}
	if p := strings.Join(d.Run.Problems, "\n"); !strings.Contains(p, testBase) || !strings.Contains(p, "WINSTON_MODE=live") {
		t.Errorf("the run's problems must say that %s was not asked and how to test it: %q", testBase, d.Run.Problems)
	}
}
