package e2e

import (
	"bytes"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/winston-conformance/winston-conformance/harness/config"
	"github.com/winston-conformance/winston-conformance/harness/redact"
	"github.com/winston-conformance/winston-conformance/harness/report"
	"github.com/winston-conformance/winston-conformance/harness/sandbox"
)

// assertNoKey scans each directory with report.ScanDir and also searches
// every file for the keys and their base64 forms byte for byte, so that a
// weakness of the scan itself cannot hide a leak.
func assertNoKey(t *testing.T, keys []string, dirs ...string) {
	t.Helper()
	for _, dir := range dirs {
		leaks, err := report.ScanDir(dir, keys)
		if err != nil {
			t.Fatalf("scan %s: %v", dir, err)
		}
		for _, l := range leaks {
			t.Errorf("key leaked: %s", l)
		}
		files := 0
		err = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			files++
			data, err := os.ReadFile(path) // #nosec G304 -- files of the test's own run
			if err != nil {
				return err
			}
			for _, k := range keys {
				for _, form := range append([]string{k}, redact.Base64Forms(k)...) {
					if bytes.Contains(data, []byte(form)) {
						t.Errorf("%s holds a form of a planted key", path)
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if files == 0 {
			t.Errorf("%s is empty: the scan proved nothing", dir)
		}
	}
}

// echoesKey checks the precondition of the live test: the sandbox with
// echo-key-in-401 really puts the key in a body, so the suite had it in
// hand and redaction is what kept it out of the outputs.
func echoesKey(t *testing.T, srv *sandbox.Server, key string) {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: srv.CertPool(), MinVersion: tls.VersionTLS12}}}
	req, err := http.NewRequest(http.MethodPost, srv.HTTPSURL()+"/api/v2/bills", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Token not_an_app@"+key)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusUnauthorized || !bytes.Contains(body, []byte(key)) {
		t.Fatalf("precondition: the echo-key-in-401 sandbox must quote the key in its 401 body; got %d", resp.StatusCode)
	}
}

// Live mode, verbose output, and a spec that fails on an answer quoting
// the key: nothing the run writes holds the key.
func TestPlantedKeyNeverLeavesALiveRun(t *testing.T) {
	key, key2 := plantedKey(t, "PLANTED-e2e-key-"), plantedKey(t, "PLANTED-e2e-key2-")
	logDir := t.TempDir()
	logFile, err := os.Create(filepath.Join(logDir, "sandbox.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = logFile.Close() }()
	srv, _ := startSandbox(t, sandbox.Options{Key: key, Key2: key2, Faults: []string{"echo-key-in-401"}, Log: logFile})
	echoesKey(t, srv, key)

	r := runSuite(t, liveEnv(srv, key, key2), "-ginkgo.v")
	if doc := r.mustDoc(t); doc.Verdict != report.VerdictFail {
		t.Fatalf("verdict %s, want fail: %s", doc.Verdict, doc.Summary)
	}
	auth8 := r.requirement(t, "AUTH-008")
	if auth8.Status != report.StatusFailed {
		t.Fatalf("AUTH-008 is %s: the failing spec that saw the key must have failed", auth8.Status)
	}
	// The answers quoting the key are in the evidence, redacted: proof that
	// the key was in hand and that redaction, not luck, kept it out.
	quoted := false
	for _, ex := range auth8.Evidence.Exchanges {
		quoted = quoted || strings.Contains(ex.ResponseBody, config.KeyPlaceholder)
	}
	if !quoted {
		t.Errorf("no AUTH-008 answer shows %s: the test did not exercise redaction of a quoted key", config.KeyPlaceholder)
	}
	for _, f := range []string{"report.json", "junit.xml", "report.md", "report.html"} {
		if _, err := os.Stat(filepath.Join(r.ReportDir, f)); err != nil {
			t.Errorf("every kind of report must be written and scanned: %v", err)
		}
	}
	// The near-miss key AUTH-006 sends shows all of the key but one
	// character: it is kept out as the key is.
	assertNoKey(t, []string{key, key2, config.NearKey(key, key2)}, r.ReportDir, r.OutputDir, logDir)
}

// Record mode writes cassettes; none of them, nor the report or the
// console, holds the key.
func TestPlantedKeyNeverLeavesARecording(t *testing.T) {
	key, key2 := plantedKey(t, "PLANTED-e2e-key-"), plantedKey(t, "PLANTED-e2e-key2-")
	srv, _ := startSandbox(t, sandbox.Options{Key: key, Key2: key2})
	cassettes := filepath.Join(t.TempDir(), "cassettes")
	if err := os.Mkdir(cassettes, 0o750); err != nil {
		t.Fatal(err)
	}
	env := liveEnv(srv, key, key2)
	env[config.EnvMode] = "record"
	env[config.EnvCassetteDir] = cassettes
	r := runSuite(t, env, "-ginkgo.v")
	if doc := r.mustDoc(t); doc.Verdict != report.VerdictPass {
		t.Fatalf("verdict %s, want pass: %s\n%s", doc.Verdict, doc.Summary, r.output(t))
	}
	written, _ := filepath.Glob(filepath.Join(cassettes, "*.yaml"))
	if len(written) < 30 {
		t.Fatalf("record mode wrote %d cassettes: the scan would prove little", len(written))
	}
	// ERR-008 skips against a sandbox with no rate limit: with no earlier
	// recording it writes what it saw, so that a replay skips it again
	// instead of missing its cassette.
	if _, err := os.Stat(filepath.Join(cassettes, "ERR-008.yaml")); err != nil {
		t.Errorf("a check that skipped into an empty cassette folder wrote no cassette: %v", err)
	}
	assertNoKey(t, []string{key, key2, config.NearKey(key, key2)}, cassettes, r.ReportDir, r.OutputDir)
}

// The positive control: the scan finds a key planted in each kind of file
// the suite writes, in each form a key takes on the wire.
func TestScanFindsAPlantedKeyInEveryKindOfFile(t *testing.T) {
	key := plantedKey(t, "PLANTED-e2e-key-")
	forms := map[string]string{
		"secret":      key,
		"base64":      base64.StdEncoding.EncodeToString([]byte("api_test:" + key)),
		"auth-header": "Token api_test@" + key,
		"url-encoded": url.QueryEscape(key + "/+"),
	}
	kinds := map[string]func(s string) string{
		"report.json":   func(s string) string { return `{"evidence":{"failure":{"message":"` + s + `"}}}` },
		"junit.xml":     func(s string) string { return `<testcase name="AUTH-008"><failure message="` + s + `"/></testcase>` },
		"report.md":     func(s string) string { return "| AUTH-008 | failed | " + s + " |\n" },
		"report.html":   func(s string) string { return "<html><body><pre>\n" + s + "\n</pre></body></html>" },
		"AUTH-008.yaml": func(s string) string { return "interactions:\n  - response:\n      body: '" + s + "'\n" },
		"suite.log":     func(s string) string { return "line one\n[AUTH-008] got " + s + "\n" },
	}
	for kind, render := range kinds {
		for form, value := range forms {
			t.Run(kind+"/"+form, func(t *testing.T) {
				dir := t.TempDir()
				secret := key
				if form == "url-encoded" {
					secret = key + "/+" // a key whose URL encoding differs from the key
				}
				if err := os.WriteFile(filepath.Join(dir, kind), []byte(render(value)), 0o600); err != nil {
					t.Fatal(err)
				}
				leaks, err := report.ScanDir(dir, []string{secret})
				if err != nil {
					t.Fatal(err)
				}
				if len(leaks) == 0 {
					t.Fatalf("the scan missed the %s form of the key in %s", form, kind)
				}
				found := false
				for _, l := range leaks {
					found = found || (filepath.Base(l.File) == kind && l.Kind == form)
					if strings.Contains(l.String(), key) {
						t.Errorf("the leak report quotes the key: %s", l)
					}
				}
				if !found {
					t.Errorf("no leak of kind %s in %s: %v", form, kind, leaks)
				}
			})
		}
	}
}

// A key found in the report directory after the report was written fails
// the run even when the report says pass: RUN-FAILED.txt is left beside it,
// and the verdict command exits 7.
func TestALeakFoundAfterTheReportFailsTheRun(t *testing.T) {
	srv, _ := startSandbox(t, sandbox.Options{})
	dir := filepath.Join(t.TempDir(), "report")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("key: "+sandbox.DefaultKey), 0o600); err != nil {
		t.Fatal(err)
	}
	env := liveEnv(srv, "", "")
	env[config.EnvReportDir] = dir
	r := runSuite(t, env, focus("AUTH-001"))
	if r.Exit == 0 {
		t.Error("the suite exited 0 with a key in its report directory")
	}
	why, err := os.ReadFile(filepath.Join(dir, report.FailedAfterFile))
	if err != nil || !strings.Contains(string(why), "SECRET LEAK") || strings.Contains(string(why), sandbox.DefaultKey) {
		t.Fatalf("%s: %q, %v", report.FailedAfterFile, why, err)
	}
	cmd := exec.Command("go", "run", "./harness/cmd/verdict", dir) // #nosec G204 -- the test's own command
	cmd.Dir = repoRoot
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || !strings.Contains(string(out), "does not pass") {
		t.Errorf("verdict: %v\n%s", err, out)
	}
}
