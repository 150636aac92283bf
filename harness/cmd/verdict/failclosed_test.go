package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/winston-conformance/winston-conformance/harness/config"
)

// A key read from a secret store often ends in a newline. The suite
// trims it before use, so the trimmed key is what may leak: the scan must
// look for that one, not for a key with a newline nobody wrote.
func TestScanKeysLooksForTheKeyAsTheSuiteUsesIt(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "report.md"), "x "+key+" y\n")
	var stdout, stderr bytes.Buffer
	code := run([]string{"-scan-keys", dir}, env(map[string]string{config.EnvAPIKey: " " + key + "\n"}), &stdout, &stderr)
	if code != exitLeak {
		t.Errorf("a key set with surrounding whitespace was not found: exit %d: %s%s", code, stdout.String(), stderr.String())
	}
}

// A key too short to scan for safely cannot be said to be absent.
func TestScanKeysRefusesAKeyTooShortToScanFor(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "report.md"), "abc\n")
	var stdout, stderr bytes.Buffer
	code := run([]string{"-scan-keys", dir}, env(map[string]string{config.EnvAPIKey: "abc"}), &stdout, &stderr)
	out := stdout.String() + stderr.String()
	if code != exitScanError || !strings.Contains(out, config.EnvAPIKey) || strings.Contains(out, "abc\n") {
		t.Errorf("want exit %d naming %s (not its value), got %d: %s", exitScanError, config.EnvAPIKey, code, out)
	}
}

// Whatever the scan cannot read through fails it, and the leaks found
// elsewhere are still listed.
func TestScanKeysFailsClosedOnWhatItCannotRead(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "leak.json"), key)
	if err := os.Symlink(dir, filepath.Join(dir, "loop")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe"), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := run([]string{"-scan-keys", dir}, env(map[string]string{config.EnvAPIKey: key}), &stdout, &stderr)
	out := stdout.String() + stderr.String()
	if code == exitClean || !strings.Contains(out, "leak.json") || !strings.Contains(out, "loop") || !strings.Contains(out, "pipe") {
		t.Errorf("want a failure naming the leak, the loop and the pipe: exit %d: %s", code, out)
	}
	if strings.Contains(out, key) {
		t.Errorf("the scan printed the key: %s", out)
	}
	os.Remove(filepath.Join(dir, "leak.json"))
	stderr.Reset()
	if code := run([]string{"-scan-keys", dir}, env(map[string]string{config.EnvAPIKey: key}), &stdout, &stderr); code != exitScanError {
		t.Errorf("no leak but a loop and a pipe: exit %d, want %d: %s", code, exitScanError, stderr.String())
	}
}

// A key passed where the directory goes (a slip on the command line) is
// not printed back in the error.
func TestScanKeysNeverPrintsAKeyGivenAsTheDirectory(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run([]string{"-scan-keys", key}, env(map[string]string{config.EnvAPIKey: key}), &stdout, &stderr)
	if code != exitScanError {
		t.Errorf("exit %d, want %d", code, exitScanError)
	}
	if out := stdout.String() + stderr.String(); strings.Contains(out, key) {
		t.Errorf("the scan printed the key: %s", out)
	}
}
