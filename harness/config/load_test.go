package config

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/winston-conformance/winston-conformance/harness/redact"
)

const planted = "PLANTED-config-key-123456"
const planted2 = "PLANTED-config-key2-654321"

// liveVars is a complete, valid live configuration.
func liveVars() map[string]string {
	return map[string]string{
		EnvMode:    "live",
		EnvBaseURL: "https://api-qa.mrwinston.com",
		EnvAPIKey:  planted,
	}
}

func mustLoad(t *testing.T, vars map[string]string) *Config {
	t.Helper()
	c, err := LoadFrom(MapLookup(vars))
	if err != nil {
		t.Fatalf("LoadFrom: %v", err)
	}
	return c
}

func TestReplayDefaults(t *testing.T) {
	c := mustLoad(t, nil)
	root := repoRoot(mustWd(t))
	checks := []struct {
		name      string
		got, want any
	}{
		{"mode", c.Mode, ModeReplay},
		{"base", c.BaseURL.String(), DefaultBaseURL},
		{"http", c.HTTPURL.String(), DefaultHTTPURL},
		{"app", c.AppName, "api_test"},
		{"key", c.APIKey(), StandInKey},
		{"key2", c.APIKey2(), StandInKey2},
		{"standIn", c.UsesStandInKey(), true},
		{"scheme", c.AuthScheme, SchemeToken},
		{"timeout", c.Timeout, 15 * time.Second},
		{"rps", c.MaxRPS, 10.0},
		{"retries", c.Retries, 2},
		{"concurrency", c.Concurrency, 4},
		{"maxBody", c.MaxBody, int64(16 << 20)},
		{"mutations", c.AllowMutations, true},
		{"cassettes", c.CassetteDir, filepath.Join(root, "cassettes")},
		{"catalogue", c.Catalogue, ""},
		{"now", c.Now.IsZero(), true},
		{"fingerprint", c.KeyFingerprint(), "stand-in"},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %v, want %v", ch.name, ch.got, ch.want)
		}
	}
	if !regexp.MustCompile(`/reports/\d{8}-\d{6}-replay(-\d+)?$`).MatchString(c.ReportDir) || !strings.HasPrefix(c.ReportDir, root) {
		t.Errorf("report dir %q is not <root>/reports/<stamp>-replay", c.ReportDir)
	}
	if !c.IsReplay() || c.IsLive() || c.IsRecord() {
		t.Error("mode predicates disagree with replay")
	}
	for secret, ph := range map[string]string{StandInKey: KeyPlaceholder, StandInKey2: Key2Placeholder} {
		if got := redact.Global().String("x" + secret + "x"); got != "x"+ph+"x" {
			t.Errorf("stand-in %s not registered: %q", secret, got)
		}
	}
}

func mustWd(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return wd
}

func TestLiveFullConfiguration(t *testing.T) {
	dir := t.TempDir()
	ca := writeCA(t, dir)
	cat := filepath.Join(dir, "cat.yaml")
	mustWrite(t, cat, "version: 1\n")
	vars := liveVars()
	for k, v := range map[string]string{
		EnvAPIKey2: planted2, EnvAppName: "my_app", EnvAuthScheme: "Bearer", EnvCAFile: ca,
		EnvReportDir: filepath.Join(dir, "out"), EnvCassetteDir: filepath.Join(dir, "cas"), EnvCatalogue: cat,
		EnvKnownIssues: cat, EnvProfile: cat, EnvHistoryDir: dir, EnvNow: "2026-11-21T13:00:00+01:00",
		EnvTimeout: "2s", EnvMaxRPS: "2.5", EnvRetries: "0", EnvConcurrency: "8", EnvMaxBody: "1KiB",
		EnvAllowMutations: "false",
	} {
		vars[k] = v
	}
	c := mustLoad(t, vars)
	if c.Mode != ModeLive || c.APIKey() != planted || c.APIKey2() != planted2 || !c.HasSecondKey() || c.UsesStandInKey() {
		t.Errorf("mode/keys wrong: %v", c)
	}
	if c.HTTPURL.String() != "http://api-qa.mrwinston.com" {
		t.Errorf("http url not derived: %s", c.HTTPURL)
	}
	if c.AppName != "my_app" || c.AuthScheme != SchemeBearer || c.CAFile != ca || c.Catalogue != cat || c.HistoryDir != dir {
		t.Errorf("identity/paths wrong: %v", c)
	}
	if c.ReportDir != filepath.Join(dir, "out") || c.CassetteDir != filepath.Join(dir, "cas") {
		t.Errorf("dirs wrong: %s %s", c.ReportDir, c.CassetteDir)
	}
	if !c.Now.Equal(time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)) || c.Now.Location() != time.UTC {
		t.Errorf("now = %v", c.Now)
	}
	if c.Timeout != 2*time.Second || c.MaxRPS != 2.5 || c.Retries != 0 || c.Concurrency != 8 || c.MaxBody != 1024 {
		t.Errorf("numbers wrong: %v", c)
	}
	if c.AllowMutations || !strings.Contains(c.MutationsReason, "WINSTON_ALLOW_MUTATIONS is false") {
		t.Errorf("mutations = %v (%s)", c.AllowMutations, c.MutationsReason)
	}
	if redact.Global().String(planted+" "+planted2) != KeyPlaceholder+" "+Key2Placeholder {
		t.Error("Load did not register the keys with the redactor")
	}
	if c.KeyFingerprint() != Fingerprint(planted) || !regexp.MustCompile(`^sha256:[0-9a-f]{12}$`).MatchString(c.KeyFingerprint()) {
		t.Errorf("fingerprint %q", c.KeyFingerprint())
	}
}

func TestHTTPURLDerivation(t *testing.T) {
	cases := []struct {
		base, httpURL, want string
		ok                  bool
	}{
		{"https://h.example", "", "http://h.example", true},
		{"https://H.Example:443/", "", "http://h.example", true},
		{"https://[::1]", "", "http://[::1]", true},
		{"https://127.0.0.1:8443", "", "", false},
		{"https://127.0.0.1:8443", "http://127.0.0.1:8080", "http://127.0.0.1:8080", true},
	}
	for _, tc := range cases {
		vars := liveVars()
		vars[EnvBaseURL] = tc.base
		if tc.httpURL != "" {
			vars[EnvHTTPURL] = tc.httpURL
		}
		c, err := LoadFrom(MapLookup(vars))
		if tc.ok != (err == nil) {
			t.Errorf("%s: err = %v", tc.base, err)
			continue
		}
		if !tc.ok {
			requireField(t, err, EnvHTTPURL, "non-default port")
			continue
		}
		if c.HTTPURL.String() != tc.want {
			t.Errorf("%s: http url %s, want %s", tc.base, c.HTTPURL, tc.want)
		}
	}
	// Replay never requires it: the redirect check replays from cassettes.
	c := mustLoad(t, map[string]string{EnvBaseURL: "https://127.0.0.1:8443"})
	if c.HTTPURL.String() != DefaultHTTPURL {
		t.Errorf("replay http url %s", c.HTTPURL)
	}
}

func TestFileAddsAndEnvironmentWins(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "winston.yaml")
	mustWrite(t, f, "mode: live\nbaseUrl: https://file.example\nappName: from_file\ntimeout: 3s\nretries: 5\nallowMutations: true\n")
	c := mustLoad(t, map[string]string{EnvConfig: f, EnvAPIKey: planted, EnvAppName: "from_env", EnvRetries: ""})
	if c.File != f || c.Mode != ModeLive || c.BaseURL.String() != "https://file.example" || c.Timeout != 3*time.Second {
		t.Errorf("file values not used: %v", c)
	}
	if c.AppName != "from_env" {
		t.Errorf("environment did not win: app %q", c.AppName)
	}
	if c.Retries != 5 {
		t.Errorf("an empty environment value should leave the file's: retries %d", c.Retries)
	}
	if !c.AllowMutations {
		t.Error("allowMutations from the file ignored")
	}
}

func TestFileRefusesKeysAndUnknownSettings(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "winston.yaml")
	mustWrite(t, f, "apiKey: "+planted+"\nbaseUrI: https://typo.example\ntimeout: [1, 2]\n")
	_, err := LoadFrom(MapLookup(map[string]string{EnvConfig: f}))
	requireField(t, err, EnvConfig, "holds apiKey")
	requireField(t, err, EnvConfig, "unknown key baseUrI")
	requireField(t, err, EnvTimeout, "single value")
	if strings.Contains(err.Error(), planted) {
		t.Errorf("the key from the file reached the error: %v", err)
	}
	if !strings.Contains(err.Error(), "export WINSTON_API_KEY") {
		t.Errorf("the error does not say to use the environment: %v", err)
	}
}

func TestRelativePathsAreFromTheRepoRoot(t *testing.T) {
	root := t.TempDir()
	mustWrite(t, filepath.Join(root, "go.mod"), "module x\n")
	sub := filepath.Join(root, "suites")
	if err := os.MkdirAll(filepath.Join(sub, "deep"), 0o750); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, filepath.Join(root, "my.yaml"), "version: 1\n")
	l := &loader{lookup: MapLookup(map[string]string{EnvCatalogue: "my.yaml", EnvCassetteDir: "cas"}), wd: filepath.Join(sub, "deep"), clock: time.Now}
	c, err := l.load()
	if err != nil {
		t.Fatal(err)
	}
	if c.Catalogue != filepath.Join(root, "my.yaml") || c.CassetteDir != filepath.Join(root, "cas") {
		t.Errorf("paths not resolved from the root: %s %s", c.Catalogue, c.CassetteDir)
	}
	if repoRoot(t.TempDir()) == "" {
		t.Error("repoRoot without go.mod must fall back to the working directory")
	}
}

func TestReportDirIsNewEachRun(t *testing.T) {
	root := t.TempDir()
	mustWrite(t, filepath.Join(root, "go.mod"), "module x\n")
	at := time.Date(2026, 11, 21, 12, 0, 5, 0, time.UTC)
	l := func() *loader {
		return &loader{lookup: MapLookup(map[string]string{EnvMode: "record", EnvBaseURL: "https://127.0.0.1", EnvAPIKey: planted}),
			wd: root, clock: func() time.Time { return at }}
	}
	c1, err := l().load()
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(root, "reports", "20261121-120005-record"); c1.ReportDir != want {
		t.Fatalf("report dir %s, want %s", c1.ReportDir, want)
	}
	if err := os.MkdirAll(c1.ReportDir, 0o750); err != nil {
		t.Fatal(err)
	}
	c2, _ := l().load()
	if c2.ReportDir != c1.ReportDir+"-2" {
		t.Errorf("second run in the same second reuses %s (got %s)", c1.ReportDir, c2.ReportDir)
	}
}

func TestLoadReadsTheProcessEnvironmentOnce(t *testing.T) {
	calls := 0
	processEnv = func(name string) (string, bool) {
		calls++
		return "", false
	}
	processEnviron = func() []string { return nil }
	loadOnce = sync.Once{}
	t.Cleanup(func() { processEnv, processEnviron = os.LookupEnv, os.Environ; loadOnce = sync.Once{} })
	a, errA := Load()
	n := calls
	b, errB := Load()
	if errA != nil || errB != nil || a != b || calls != n || n == 0 {
		t.Errorf("Load is not read once: %p %p, lookups %d then %d", a, b, n, calls)
	}
}

func TestNoOutputShowsTheKey(t *testing.T) {
	vars := liveVars()
	vars[EnvAPIKey2] = planted2
	c := mustLoad(t, vars)
	raw, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	rawValue, err := json.Marshal(*c)
	if err != nil {
		t.Fatal(err)
	}
	red, err := json.Marshal(c.Redacted())
	if err != nil {
		t.Fatal(err)
	}
	outputs := map[string]string{
		"String": c.String(), "%v": sprintf("%v", c), "%+v": sprintf("%+v", *c), "%#v": sprintf("%#v", c),
		"json": string(raw), "json value": string(rawValue), "Redacted": string(red),
	}
	for name, out := range outputs {
		for _, k := range []string{planted, planted2} {
			if strings.Contains(out, k) {
				t.Errorf("%s shows a key: %s", name, out)
			}
		}
	}
	r := c.Redacted()
	if r.APIKey != "set" || r.APIKeyFingerprint != Fingerprint(planted) || r.APIKey2 != "set" || r.APIKey2Fingerprint != Fingerprint(planted2) {
		t.Errorf("redacted key fields: %+v", r)
	}
	if r.BaseURL != "https://api-qa.mrwinston.com" || r.Timeout != "15s" || r.Catalogue != "embedded" {
		t.Errorf("redacted view lost fields: %+v", r)
	}
	if Fingerprint("") != "unset" {
		t.Error("fingerprint of no key")
	}
	if s, f := keyState("", false); s != "unset" || f != "" {
		t.Errorf("unset key state %q %q", s, f)
	}
}

func mustWrite(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestFindRepoRootIsTheNearestGoMod(t *testing.T) {
	root, err := FindRepoRoot(mustWd(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "suites")); err != nil {
		t.Errorf("FindRepoRoot from harness/config = %s, which has no suites/", root)
	}
	fork := t.TempDir()
	mustWrite(t, filepath.Join(fork, "go.mod"), "module example.com/fork\n")
	deep := filepath.Join(fork, "suites", "x")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	if got, err := FindRepoRoot(deep); err != nil || got != fork {
		t.Errorf("a fork under another module path is a checkout too: got %q, %v", got, err)
	}
	if _, err := FindRepoRoot("/"); err == nil || !strings.Contains(err.Error(), "no go.mod") {
		t.Errorf("want an error naming the missing go.mod, got %v", err)
	}
}

// A file holding only a key is not a mapping; yaml.v3's error would quote
// its first characters, so only the line is reported.
func TestAFileOfJustAKeyIsNotQuoted(t *testing.T) {
	f := filepath.Join(t.TempDir(), "winston.yaml")
	mustWrite(t, f, "\n"+planted+"\n")
	_, err := LoadFrom(MapLookup(map[string]string{EnvConfig: f}))
	requireField(t, err, EnvConfig, "not a YAML mapping (line 2)")
	if strings.Contains(err.Error(), planted[:7]) {
		t.Errorf("the error quotes the start of the key: %v", err)
	}
}

// "OFF" switches the cache off as "off" does, instead of naming a
// directory OFF in the repository.
func TestCassetteCacheOffIgnoresCase(t *testing.T) {
	for _, v := range []string{"off", "OFF", "Off"} {
		c := mustLoad(t, map[string]string{EnvCassetteCache: v})
		if c.CassetteCache != "off" {
			t.Errorf("%s=%s gave %q, want off", EnvCassetteCache, v, c.CassetteCache)
		}
	}
}
