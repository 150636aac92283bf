package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/winston-conformance/winston-conformance/harness/evidence"
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

// A sandbox that answered no request (fault hang) is known by the
// certificate the TLS checks saw: its report is never valid for submission.
func TestASandboxThatAnsweredNothingIsKnownByItsCertificate(t *testing.T) {
	cert := fakeSpec{text: "TRANS-004 a valid certificate", state: types.SpecStatePassed,
		findings: []evidence.Finding{{Expected: "a certificate that verifies", Observed: "handshake succeeded", OK: true,
			Facts: map[string]string{"certIssuer": "CN=" + evidence.SandboxCAName + ",O=winston-conformance sandbox"}}}}
	d := Build(ginkgoReport(t, append(allPassing("TRANS-004"), cert)...), testCatalogue(t), liveRun(), nil, nil)
	if !d.Run.Sandbox || d.GoLive.Verdict != GoLiveNotValidForSubmission {
		t.Errorf("sandbox %v, go-live %s: a sandbox certificate must make the report not valid for submission", d.Run.Sandbox, d.GoLive.Verdict)
	}
}
