package main

import (
	"bytes"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/winston-conformance/winston-conformance/harness/config"
)

// key has characters that URL encoding and JSON escaping change, so a
// grep for the key as is misses those forms.
const key = "nightly/key+with=signs&<chars>-0123456789"

func env(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestScanKeysFindsEncodedForms(t *testing.T) {
	for name, text := range map[string]string{
		"url-encoded": "GET /api/v2/bills?api_key=" + url.QueryEscape(key) + "\n",
		"escaped":     `{"error":"bad key \u003cchars\u003e ` + strings.NewReplacer("<", `\u003c`, ">", `\u003e`, "&", `\u0026`).Replace(key) + `"}`,
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, filepath.Join(dir, "sub", "report.json"), "line one\n"+text)
			var stdout, stderr bytes.Buffer
			code := run([]string{"-scan-keys", dir}, env(map[string]string{config.EnvAPIKey2: key}), &stdout, &stderr)
			if code != exitLeak {
				t.Fatalf("exit %d, want %d (a leak): %s%s", code, exitLeak, stdout.String(), stderr.String())
			}
			out := stdout.String() + stderr.String()
			if !strings.Contains(out, "report.json:2: "+name) {
				t.Errorf("the leak's file, line and form are not named: %s", out)
			}
			if strings.Contains(out, key) || strings.Contains(out, url.QueryEscape(key)) {
				t.Errorf("the scan printed the key it found: %s", out)
			}
		})
	}
}

func TestScanKeysCleanMissingAndUnset(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "report.md"), "key <WINSTON_API_KEY>\n")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-scan-keys", dir}, env(map[string]string{config.EnvAPIKey: key}), &stdout, &stderr); code != exitClean {
		t.Errorf("a clean directory: exit %d: %s", code, stderr.String())
	}
	stderr.Reset()
	if code := run([]string{"-scan-keys", filepath.Join(dir, "nope")}, env(map[string]string{config.EnvAPIKey: key}), &stdout, &stderr); code != exitScanError ||
		!strings.Contains(stderr.String(), "not a readable directory") {
		t.Errorf("a missing directory: exit %d: %s", code, stderr.String())
	}
	stderr.Reset()
	// No key to look for: nothing was checked, and "scan && upload" must
	// not upload.
	if code := run([]string{"-scan-keys", dir}, env(nil), &stdout, &stderr); code != exitScanError || !strings.Contains(stderr.String(), "unset") {
		t.Errorf("no key set: exit %d: %s", code, stderr.String())
	}
	if code := run([]string{"-scan-keys"}, env(nil), &stdout, &stderr); code != 2 {
		t.Errorf("no directory: exit %d, want 2", code)
	}
}

// The near-miss key AUTH-006 sends shows all of the key but one
// character: the last gate before an upload finds it as it finds the key,
// and never prints it.
func TestScanKeysFindsTheNearMissKey(t *testing.T) {
	near := config.NearKey(key)
	dir := t.TempDir()
	write(t, filepath.Join(dir, "report.json"), "line one\nAuthorization: Token api_test@"+near+"\n")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-scan-keys", dir}, env(map[string]string{config.EnvAPIKey: key}), &stdout, &stderr); code != exitLeak {
		t.Fatalf("exit %d, want %d (a leak): %s%s", code, exitLeak, stdout.String(), stderr.String())
	}
	if out := stdout.String() + stderr.String(); strings.Contains(out, near) || strings.Contains(out, key) {
		t.Errorf("the scan printed the key it found: %s", out)
	}
}
