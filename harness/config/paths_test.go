package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
