package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/winston-conformance/winston-conformance/harness/config"
	"github.com/winston-conformance/winston-conformance/harness/report"
	"github.com/winston-conformance/winston-conformance/harness/sandbox"
)

// badSetting is one variable set wrong, everything else right.
type badSetting struct {
	name     string
	variable string
	value    string // unset removes the variable
	mode     string // the run's mode when not live
}

// notConfigErrors are the variables with no wrong value that config can
// refuse, and why; every other variable needs a case in badSettings.
var notConfigErrors = map[string]string{
	config.EnvReportDir: "refused by config before any request (harness/config tests it), but the config-error " +
		"report cannot then be written there, and these tests read the report",
	config.EnvCassetteCache: "never an error by design: a cache that cannot be used is skipped and the YAML parsed",
}

// badSettings lists, per variable, values that must stop the run before
// any request. Files they need are made in dir.
func badSettings(t *testing.T, dir, key string) []badSetting {
	t.Helper()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	notPEM := write("not-a-ca.pem", "this is not a certificate\n")
	keyInFile := write("with-key.yaml", "apiKey: "+key+"\n")
	notYAML := write("not-yaml.yaml", "- a list\n- not a mapping\n")
	return []badSetting{
		{"an unknown mode", config.EnvMode, "bogus", ""},
		{"an http:// base URL", config.EnvBaseURL, "http://127.0.0.1:1", ""},
		{"a base URL with a path", config.EnvBaseURL, "https://127.0.0.1:1/api", ""},
		{"a base URL that is not a URL", config.EnvBaseURL, "::not a url", ""},
		{"an https:// plain-HTTP URL", config.EnvHTTPURL, "https://127.0.0.1:1", ""},
		{"an app name with a space", config.EnvAppName, "api test", ""},
		{"no key in live mode", config.EnvAPIKey, unset, ""},
		{"a key too short to redact", config.EnvAPIKey, "short", ""},
		{"a second key equal to the first", config.EnvAPIKey2, key, ""},
		{"a second key too short", config.EnvAPIKey2, "tiny", ""},
		{"an unknown auth scheme", config.EnvAuthScheme, "basic", ""},
		{"an unreadable CA file", config.EnvCAFile, filepath.Join(dir, "missing.pem"), ""},
		{"a CA file without a certificate", config.EnvCAFile, notPEM, ""},
		{"a non-boolean mutations switch", config.EnvAllowMutations, "maybe", ""},
		{"a missing config file", config.EnvConfig, filepath.Join(dir, "missing.yaml"), ""},
		{"a config file holding the key", config.EnvConfig, keyInFile, ""},
		{"a config file that is not a mapping", config.EnvConfig, notYAML, ""},
		{"a missing catalogue", config.EnvCatalogue, filepath.Join(dir, "missing-catalogue.yaml"), ""},
		{"a catalogue that is a directory", config.EnvCatalogue, dir, ""},
		{"a missing cassette directory in replay", config.EnvCassetteDir, filepath.Join(dir, "no-cassettes"), "replay"},
		{"a reference time that is not RFC 3339", config.EnvNow, "yesterday", ""},
		{"a timeout that is not a duration", config.EnvTimeout, "forever", ""},
		{"a zero timeout", config.EnvTimeout, "0s", ""},
		{"a negative rate cap", config.EnvMaxRPS, "-1", ""},
		{"too many retries", config.EnvRetries, "99", ""},
		{"no concurrency", config.EnvConcurrency, "0", ""},
		{"a missing known-issues ledger", config.EnvKnownIssues, filepath.Join(dir, "missing-ledger.yaml"), ""},
		{"a missing profile", config.EnvProfile, filepath.Join(dir, "missing-profile.yaml"), ""},
		{"a missing history directory", config.EnvHistoryDir, filepath.Join(dir, "missing-history"), ""},
		{"a body limit that is not a size", config.EnvMaxBody, "lots", ""},
	}
}

// Each variable set wrong in turn, against a sandbox that counts requests:
// the verdict is config-error, the message names the variable, no request
// is sent and the key is in no output.
func TestEachWrongVariableIsAConfigErrorBeforeAnyRequest(t *testing.T) {
	key, key2 := plantedKey(t, "PLANTED-config-key-"), plantedKey(t, "PLANTED-config-key2-")
	srv, log := startSandbox(t, sandbox.Options{Key: key, Key2: key2})
	args := focus("AUTH-001", "STRUCT-001", "ORDER-001")

	t.Run("control: the same settings, all right, reach the sandbox", func(t *testing.T) {
		before := log.count()
		r := runSuite(t, liveEnv(srv, key, key2), args)
		if doc := r.mustDoc(t); doc.Verdict != report.VerdictPass {
			t.Fatalf("verdict %s: %s", doc.Verdict, doc.Summary)
		}
		if log.count() == before {
			t.Fatal("the sandbox counted no request: the zero-request checks below would prove nothing")
		}
	})
	for _, bad := range badSettings(t, t.TempDir(), key) {
		t.Run(bad.name, func(t *testing.T) {
			env := liveEnv(srv, key, key2)
			env[bad.variable] = bad.value
			if bad.mode != "" {
				env[config.EnvMode] = bad.mode
			}
			before := log.count()
			r := runSuite(t, env, args)
			doc := r.mustDoc(t)
			if doc.Verdict != report.VerdictConfigError {
				t.Errorf("verdict %s, want %s: %s", doc.Verdict, report.VerdictConfigError, doc.Summary)
			}
			if !strings.Contains(doc.Run.ConfigError, bad.variable) {
				t.Errorf("the configuration error does not name %s: %q", bad.variable, doc.Run.ConfigError)
			}
			if n := log.count() - before; n != 0 {
				t.Errorf("the sandbox got %d requests: a configuration error must stop the run before any", n)
			}
			assertNoKey(t, []string{key, key2}, r.ReportDir, r.OutputDir)
		})
	}
}

// A variable added to config must get a wrong-value case here (or a reason
// in notConfigErrors), so that the table keeps covering every variable.
func TestEveryVariableHasAWrongValueCase(t *testing.T) {
	covered := map[string]bool{}
	for _, bad := range badSettings(t, t.TempDir(), "some-key-for-listing") {
		covered[bad.variable] = true
	}
	for _, v := range config.Variables() {
		_, exempt := notConfigErrors[v.Name]
		switch {
		case covered[v.Name] && exempt:
			t.Errorf("%s is both tested and exempt: drop it from notConfigErrors", v.Name)
		case !covered[v.Name] && !exempt:
			t.Errorf("%s has no wrong-value case in badSettings: add one, or say in notConfigErrors why none exists", v.Name)
		}
	}
}
