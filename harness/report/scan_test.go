package report

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/winston-conformance/winston-conformance/harness/evidence"
	"github.com/winston-conformance/winston-conformance/harness/redact"
)

// plantedKey is registered with the global redactor, as configuration
// loading would register a real key.
const plantedKey = "PLANTED-report-key-0123456789abcdef"

func TestWritersNeverLeakAPlantedKey(t *testing.T) {
	redact.Global().Add(plantedKey, "<WINSTON_API_KEY>")
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("api_test:"+plantedKey))
	leaky := fakeSpec{
		text: "AUTH-002 a missing Authorization header gets 401 " + plantedKey, state: types.SpecStateFailed,
		msg: "expected 401, got 200 for Token api_test@" + plantedKey + " and " + basic,
		exchanges: []evidence.Exchange{{
			Method: "POST", URL: testBase + "/api/v2/bills?api_key=" + plantedKey, AuthShape: "valid", Status: 200,
			RequestHeaders:  map[string]string{"Authorization": "Token api_test@" + plantedKey, "X-Debug": basic},
			RequestBody:     `{"key":"` + plantedKey + `"}`,
			ResponseHeaders: map[string]string{"X-Echo": plantedKey},
			ResponseBody:    `{"echo":"Token api_test@` + plantedKey + `"}`, ResponseBytes: 10, Latency: time.Millisecond,
			Error: "after " + plantedKey, Cassette: "cassettes/" + plantedKey + ".yaml",
		}},
		findings: []evidence.Finding{{Endpoint: "bills", Expected: "401", Observed: "200 " + plantedKey, OK: false,
			SchemaErrors: []string{"/key: " + plantedKey}, Facts: map[string]string{"certIssuer": plantedKey}}},
		shapes: map[string]Shape{"bills": {"[]." + plantedKey: {"string"}}},
	}
	run := liveRun()
	run.Target.BaseURL = "https://api_test:" + plantedKey + "@api-qa.example.test/?api_key=" + plantedKey
	run.Target.AppName = "api_test " + plantedKey
	run.Config = map[string]any{"apiKey": plantedKey, "nested": []any{basic}}
	run.Command = "WINSTON_API_KEY=" + plantedKey + " go tool ginkgo ./suites"
	run.ConfigError = ""
	d := Build(ginkgoReport(t, append(allPassing("AUTH-002"), leaky)...), testCatalogue(t), run, nil, nil)
	if inMemory := mustRender(t, d.renderJSON); strings.Contains(inMemory, plantedKey) {
		t.Error("Build must redact every string it takes from the run, before any writer sees it")
	}
	dir := t.TempDir()
	if err := d.Write(dir, []*Document{d}); err != nil {
		t.Fatal(err)
	}
	cmp := Compare(d, d)
	cmp.Notes = append(cmp.Notes, "note with "+plantedKey)
	if err := os.WriteFile(filepath.Join(dir, CompareFile), []byte(cmp.Markdown()+cmp.Text()), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := ConfigErrorDocument(testCatalogue(t), RunInfo{Mode: "live", ConfigError: "WINSTON_API_KEY " + plantedKey + " is wrong", Target: run.Target})
	if err := cfg.Write(filepath.Join(dir, "config-error"), nil); err != nil {
		t.Fatal(err)
	}
	leaks, err := ScanDir(dir, []string{plantedKey})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range leaks {
		t.Errorf("leak: %s", l)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) < 5 {
		t.Errorf("expected every writer's file in %s, got %v", dir, files)
	}
	html, _ := os.ReadFile(filepath.Join(dir, HTMLFile))
	if !strings.Contains(string(html), "&lt;WINSTON_API_KEY&gt;") {
		t.Error("the redacted placeholder should be visible as evidence in report.html")
	}
}

func TestScanDirFindsAKeyInEveryKindOfFile(t *testing.T) {
	const key = "scan-me-key+/=0123456789"
	forms := map[string]string{
		"secret":      "value: " + key,
		"base64":      "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte("api_test:"+key)),
		"auth-header": "Token api_test@" + key,
		"url-encoded": "GET /x?api_key=" + url.QueryEscape(key),
		"escaped":     `{"error":"invalid token scan-me-key+\/=0123456789"}`,
	}
	dir := t.TempDir()
	for _, ext := range []string{"json", "xml", "md", "html", "yaml"} {
		for kind, content := range forms {
			p := filepath.Join(dir, ext, kind+"."+ext)
			if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte("first line\n"+content+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "clean.json"), []byte(`{"key":"<WINSTON_API_KEY>"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	leaks, err := ScanDir(dir, []string{key, "short"})
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, l := range leaks {
		found[l.File+"|"+l.Kind] = true
		if l.Line != 2 {
			t.Errorf("%s: line %d, want 2", l.File, l.Line)
		}
		if strings.Contains(l.String(), key) || l.Secret != KeyFingerprint(key) {
			t.Errorf("a leak report must name the key by fingerprint only: %s", l)
		}
		if strings.HasSuffix(l.File, "clean.json") {
			t.Error("a placeholder is not a leak")
		}
	}
	for _, ext := range []string{"json", "xml", "md", "html", "yaml"} {
		for kind := range forms {
			if !found[filepath.Join(dir, ext, kind+"."+ext)+"|"+kind] {
				t.Errorf("the %s form in a .%s file was not found", kind, ext)
			}
		}
	}
	if _, err := ScanDir(filepath.Join(dir, "missing"), []string{key}); err == nil {
		t.Error("scanning a missing directory must be an error")
	}
}

// An encoder that escapes some of the key's signs and not others (.NET's
// JSON writer: "+" as \u002B, "/" left alone) writes a form no fixed list
// holds: the scan finds it all the same, and the verdict's scan-keys too.
func TestScanDirFindsAMixOfEscapes(t *testing.T) {
	const key = "Zq8t+Lm3/Xv9Kp2Wd7Rf0aBc"
	dir := t.TempDir()
	for name, content := range map[string]string{
		"dotnet.json": `{"detail":"invalid token value: Token api_test@Zq8t\u002BLm3/Xv9Kp2Wd7Rf0aBc"}`,
		"lower.txt":   "GET /x?api_key=Zq8t%2bLm3%2fXv9Kp2Wd7Rf0aBc",
		"entity.html": "<p>Zq8t&#x2B;Lm3&#x2F;Xv9Kp2Wd7Rf0aBc</p>",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	leaks, err := ScanDir(dir, []string{key})
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, l := range leaks {
		found[filepath.Base(l.File)] = true
	}
	for _, name := range []string{"dotnet.json", "lower.txt", "entity.html"} {
		if !found[name] {
			t.Errorf("the key in %s was not found: %v", name, leaks)
		}
	}
}

func TestWriteAtomicRedactsEveryByte(t *testing.T) {
	redact.Global().Add(plantedKey, "<WINSTON_API_KEY>")
	dir := t.TempDir()
	if err := writeAtomic(dir, "x.md", []byte("raw "+plantedKey), newScanner(redact.Global().Keys()), true); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "x.md"))
	if string(got) != "raw <WINSTON_API_KEY>" {
		t.Errorf("written %q", got)
	}
}

func TestWriteAtomicRefusesWhatTheRedactorMissed(t *testing.T) {
	// A secret the scanner knows but the redactor does not stands for a
	// redaction bug: the file must not reach disk.
	missed := "never-registered-key-5c1e"
	dir := t.TempDir()
	err := writeAtomic(dir, "report.json", []byte("{\n\"k\": \""+missed+"\"}"), newScanner([]string{missed}), false)
	if !errors.Is(err, ErrSecretLeak) || strings.Contains(err.Error(), missed) || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("want ErrSecretLeak naming the line and not the key, got %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a leaking file (or its temporary file) reached disk: %v", entries)
	}
}

func TestScanDirPassesOverVerifiedFiles(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"verified.json", "other.json"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(plantedKey), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	leaks, err := ScanDir(dir, []string{plantedKey}, filepath.Join(dir, "verified.json"))
	if err != nil || len(leaks) == 0 {
		t.Fatalf("the unverified file must still be scanned: %v %v", leaks, err)
	}
	for _, l := range leaks {
		if strings.HasSuffix(l.File, "verified.json") {
			t.Errorf("a verified file was scanned again: %s", l)
		}
	}
}

// A file the scan cannot read is named in its error, and so is the path
// inside the error it got (an *fs.PathError): a name that holds a form of
// the key is redacted in both, and the error still says what went wrong.
func TestScanErrorsNameNoKeyForm(t *testing.T) {
	const key = "scan-me-key+/=0123456789"
	dir := t.TempDir()
	name := filepath.Join(dir, "echo-"+url.QueryEscape(key))
	if err := os.Symlink(filepath.Join(dir, "gone"), name); err != nil {
		t.Fatal(err)
	}
	leaks, err := ScanDir(dir, []string{key})
	if err == nil {
		t.Fatal("a broken symlink was scanned without an error")
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the error lost its cause: %v", err)
	}
	if strings.Contains(err.Error(), "scan-me-key") || strings.Contains(err.Error(), url.QueryEscape(key)) {
		t.Errorf("the scan error quotes the key: %v", err)
	}
	if len(leaks) == 0 {
		t.Error("the key in the file's name was not reported as a leak")
	}
}

// The leak scan finds a key escaped the .NET way and quoted again in
// another JSON string, as the redactor replaces it.
func TestScanDirFindsMixedEscapesQuotedAgain(t *testing.T) {
	const key = `Ab+/c=d&e%f_live_key_9xY+/==`
	mixed := strings.NewReplacer("+", `\u002B`, "/", `\u002F`, "=", `\u003D`, "&", `\u0026`).Replace(key)
	inner, _ := json.Marshal("received Token api_test@" + mixed)
	outer, _ := json.Marshal(map[string]string{"upstream": string(inner)})
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "report.json"), append([]byte("first line\n"), outer...), 0o600); err != nil {
		t.Fatal(err)
	}
	leaks, err := ScanDir(dir, []string{key})
	if err != nil || len(leaks) == 0 {
		t.Errorf("the nested echo was not found: %v %v", leaks, err)
	}
}
