package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestAReportDirectoryThatCannotBeWrittenIsAConfigError(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "a-file")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{file, filepath.Join(file, "under-a-file")} {
		_, err := LoadFrom(MapLookup(map[string]string{EnvReportDir: bad}))
		if err == nil || !strings.Contains(err.Error(), EnvReportDir) {
			t.Errorf("%s: want a WINSTON_REPORT_DIR error, got %v", bad, err)
		}
	}
	if _, err := LoadFrom(MapLookup(map[string]string{EnvReportDir: filepath.Join(dir, "new", "run")})); err != nil {
		t.Errorf("a directory still to be created under a writable one is fine: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("the check must leave nothing behind: %v", entries)
	}
}

// REPORT_DIR=reports/latest, the link to the newest report, wrote the new
// report into that run's folder (moving its own away) and pointed the
// link at itself. It is refused, and this run's configuration-error report
// goes elsewhere.
func TestTheLatestLinkIsNoReportDirectory(t *testing.T) {
	reports := filepath.Join(t.TempDir(), "reports")
	run := filepath.Join(reports, "20261129-100000-live")
	if err := os.MkdirAll(run, 0o750); err != nil {
		t.Fatal(err)
	}
	latest := filepath.Join(reports, LatestLink)
	if err := os.Symlink(filepath.Base(run), latest); err != nil {
		t.Fatal(err)
	}
	c, err := LoadFrom(MapLookup(map[string]string{EnvReportDir: latest}))
	if err == nil || !strings.Contains(err.Error(), "link to the newest report") {
		t.Errorf("REPORT_DIR=%s: want it refused as the latest link, got %v", latest, err)
	}
	if c != nil && (c.ReportDir == latest || strings.HasPrefix(c.ReportDir, run)) {
		t.Errorf("the configuration error's report would go to %s, the earlier run's folder", c.ReportDir)
	}
	if _, err := LoadFrom(MapLookup(map[string]string{EnvReportDir: run})); err != nil {
		t.Errorf("the run's folder itself, named as it is: %v", err)
	}
}

// A reports "directory" that is a file used to make the default report
// directory loop forever (os.Stat says ENOTDIR, not "does not exist"). The
// load runs in a goroutine so that a regression fails in seconds instead of
// hanging the test binary until go test's own timeout.
func TestADefaultReportsFolderThatIsAFileIsAConfigErrorNotAHang(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "reports"), []byte("not a folder"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	done := make(chan error, 1)
	go func() {
		_, err := LoadFrom(MapLookup(map[string]string{}))
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("want a configuration error for a reports folder that is a file, got none")
		}
		msg := err.Error()
		for _, want := range []string{"reports", "is a file", EnvReportDir} {
			if !strings.Contains(msg, want) {
				t.Errorf("the error should name %q (the problem and the fix): %s", want, msg)
			}
		}
	case <-time.After(10 * time.Second):
		t.Fatal("LoadFrom did not return within 10 s: the default report directory loops when reports is a file")
	}
}
