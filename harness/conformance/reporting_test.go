package conformance

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/winston-conformance/winston-conformance/harness/redact"
	"github.com/winston-conformance/winston-conformance/harness/report"
)

// A report file refused as a leak while the report was being written
// fails the run as a key found after it does: RUN-FAILED.txt is left
// beside what was written (which stays), so the verdict command cannot
// read a report.json that says pass as this run's verdict. Before, such a
// refusal failed the suite but left the verdict at pass and exit 0.
func TestAReportFileRefusedAsALeakFailsTheRun(t *testing.T) {
	const key = "reporting-key-0123456789abcdef"
	redact.Global().Add(key, "<REPORTING_KEY>")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, report.JSONFile), []byte(`{"verdict":"pass"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	refused := fmt.Errorf("write report %s: %w", filepath.Join(dir, report.HTMLFile), report.ErrSecretLeak)
	msg := failedAfterReport(dir, errors.Join(refused), []string{dir})
	if !strings.Contains(msg, report.HTMLFile) {
		t.Errorf("the failure does not name the refused file: %q", msg)
	}
	why, err := os.ReadFile(filepath.Join(dir, report.FailedAfterFile))
	if err != nil || !strings.Contains(string(why), report.HTMLFile) {
		t.Fatalf("%s: %q, %v", report.FailedAfterFile, why, err)
	}
	if _, err := os.Stat(filepath.Join(dir, report.JSONFile)); err != nil {
		t.Errorf("the report written before the refusal was lost: %v", err)
	}

	clean := t.TempDir()
	if msg := failedAfterReport(clean, nil, []string{clean}); msg != "" {
		t.Errorf("a clean, written report failed the run: %q", msg)
	}
	if _, err := os.Stat(filepath.Join(clean, report.FailedAfterFile)); err == nil {
		t.Errorf("%s was left beside a clean report", report.FailedAfterFile)
	}

	leaky := t.TempDir()
	if err := os.WriteFile(filepath.Join(leaky, "notes.txt"), []byte("key "+key), 0o600); err != nil {
		t.Fatal(err)
	}
	msg = failedAfterReport(leaky, nil, []string{leaky})
	if !strings.Contains(msg, "SECRET LEAK") || strings.Contains(msg, key) {
		t.Errorf("a key in the report folder: %q", msg)
	}
}
