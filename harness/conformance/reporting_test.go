package conformance

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/winston-conformance/winston-conformance/harness/config"
	"github.com/winston-conformance/winston-conformance/harness/redact"
	"github.com/winston-conformance/winston-conformance/harness/report"
	"github.com/winston-conformance/winston-conformance/harness/sandbox"
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

// A live run with the sandbox's published key is the sandbox's, even
// behind a proxy that drops its header: never a report to submit.
func TestTheSandboxKeyMarksTheRunTheSandboxs(t *testing.T) {
	load := func(key string) *config.Config {
		cfg, err := config.LoadFrom(config.MapLookup(map[string]string{config.EnvMode: "live", config.EnvBaseURL: "https://192.0.2.2:9443",
			config.EnvHTTPURL: "http://192.0.2.2:9080", config.EnvAPIKey: key, config.EnvReportDir: t.TempDir()}))
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	if !sandboxKey(load(sandbox.DefaultKey)) {
		t.Error("the sandbox's key was not recognised")
	}
	if sandboxKey(load("a-key-of-a-real-tenant-0123456789")) {
		t.Error("another key was taken for the sandbox's")
	}
}
