package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/winston-conformance/winston-conformance/harness/redact"
)

// A key pasted into the wrong place (a URL's user:password@ part or
// query, a URL variable holding nothing but the key, the app name) used
// to come back verbatim in the configuration error, and from there in
// every report, junit.xml and the terminal. Each such value must reach
// redact.Global(), so that no output shows it.
func TestAKeyPastedIntoTheWrongVariableReachesNoOutput(t *testing.T) {
	const key = "PastedKey0a1b2c3d4e5f6a7b"
	cfgFile := filepath.Join(t.TempDir(), "winston.yaml")
	if err := os.WriteFile(cfgFile, []byte("baseUrl: https://user:"+key+"f@api-qa.example.com\nappName: "+key+"a\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, vars := range map[string]map[string]string{
		"base URL password":     {EnvMode: "live", EnvBaseURL: "https://u:" + key + "1@api-qa.example.com"},
		"base URL user":         {EnvMode: "live", EnvBaseURL: "https://" + key + "2@api-qa.example.com"},
		"base URL query":        {EnvMode: "live", EnvBaseURL: "https://api-qa.example.com/?api_key=" + key + "3"},
		"http URL query":        {EnvMode: "live", EnvHTTPURL: "http://api-qa.example.com?key=" + key + "4&x=1"},
		"base URL is the key":   {EnvMode: "live", EnvBaseURL: key + "5"},
		"http URL is the key":   {EnvMode: "live", EnvHTTPURL: key + "6"},
		"base URL fragment":     {EnvMode: "live", EnvBaseURL: "https://api-qa.example.com/#" + key + "7"},
		"app name is a key":     {EnvMode: "replay", EnvAppName: key + "8"},
		"base URL path":         {EnvMode: "live", EnvBaseURL: "https://api-qa.example.com/v2/" + key + "9/x"},
		"config file values":    {EnvMode: "replay", EnvConfig: cfgFile},
		"app name a hex key":    {EnvMode: "replay", EnvAppName: "0123456789abcdef0123456789abcdef"},
		"app name with hyphens": {EnvMode: "replay", EnvAppName: "sandbox-tenant-1-key-0009"},
	} {
		vars[EnvAPIKey] = "the-real-key-0123456789"
		c, err := loadVars(vars)
		var texts []string
		if err != nil {
			texts = append(texts, err.Error())
		}
		texts = append(texts, c.String())
		for _, text := range texts {
			for _, secret := range []string{key, "0123456789abcdef0123456789abcdef", "sandbox-tenant-1-key-0009"} {
				if strings.Contains(text, secret) {
					t.Errorf("%s: an output shows the pasted key: %s", name, text)
				}
			}
		}
		for _, v := range vars {
			if strings.Contains(v, key) || strings.HasPrefix(v, "0123") || strings.HasPrefix(v, "sandbox-") {
				secret := v
				if i := strings.Index(v, key); i >= 0 {
					secret = v[i : i+len(key)+1]
				}
				if got := redact.Global().String("x " + secret + " y"); strings.Contains(got, secret) {
					t.Errorf("%s: %q is not registered with the redactor: %q", name, secret, got)
				}
			}
		}
	}
}

// An ordinary app name or URL is not taken for a key: reports keep
// showing them.
func TestOrdinaryAppNamesAndURLsAreNotRedacted(t *testing.T) {
	for _, app := range []string{"api_test", "selforder", "acme-pos-integration", "acme_pos_integration_v2"} {
		c, err := loadVars(map[string]string{EnvMode: "replay", EnvAppName: app})
		if err != nil {
			t.Fatalf("%s: %v", app, err)
		}
		if got := c.Redacted().AppName; got != app {
			t.Errorf("app name %q is shown as %q", app, got)
		}
	}
	c, err := loadVars(map[string]string{EnvMode: "replay", EnvBaseURL: "https://api-qa.mrwinston.com"})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Redacted().BaseURL; got != "https://api-qa.mrwinston.com" {
		t.Errorf("base URL shown as %q", got)
	}
}

// A host written without its scheme is a typo to show, not a key.
func TestAHostWithoutSchemeIsShownAsItIs(t *testing.T) {
	_, err := loadVars(map[string]string{EnvMode: "live", EnvAPIKey: "the-real-key-0123456789", EnvBaseURL: "api-qa.mrwinston-typo.com:8443"})
	if err == nil || !strings.Contains(err.Error(), "api-qa.mrwinston-typo.com:8443") {
		t.Errorf("the refused host should be shown: %v", err)
	}
}

// Any refused value is shown in the configuration error; one shaped like
// a key (a key pasted into WINSTON_TIMEOUT, WINSTON_MODE, a file's key or
// value) is not, and reaches the redactor. Ordinary mistakes stay shown.
func TestARefusedValueShapedLikeAKeyIsNotShown(t *testing.T) {
	const key = "RefusedKey0a1b2c3d4e5f6a7b8"
	dir := t.TempDir()
	file := func(content string) string {
		p := filepath.Join(dir, strings.NewReplacer("/", "", ":", "", " ", "", "\n", "").Replace(content)[:12]+".yaml")
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for name, vars := range map[string]map[string]string{
		"timeout":          {EnvTimeout: key},
		"mode":             {EnvMode: key + "1"},
		"base64 with /":    {EnvRetries: "aB3dE5/gH7jK9mN1pQ2rS4tU6v"},
		"file key":         {EnvConfig: file(key + "2: x\n")},
		"file value":       {EnvConfig: file("timeout: " + key + "3\n")},
		"file 'api key'":   {EnvConfig: file("api key: " + key + "4\n")},
		"ca file is a key": {EnvCAFile: key + "5"},
	} {
		_, err := loadVars(vars)
		if err == nil {
			t.Fatalf("%s: accepted", name)
		}
		if strings.Contains(err.Error(), key) || strings.Contains(err.Error(), "aB3dE5/gH7jK9mN1pQ2rS4tU6v") {
			t.Errorf("%s: the error shows a value shaped like a key: %v", name, err)
		}
	}
	tmp := "/tmp/TestSomething3469518543/001/ca.pem"
	_, err := loadVars(map[string]string{EnvTimeout: "fifteen seconds", EnvCAFile: "/etc/ssl/winston-2024-ca.pem", EnvCatalogue: tmp})
	if err == nil || !strings.Contains(err.Error(), `"fifteen seconds"`) || !strings.Contains(err.Error(), "/etc/ssl/winston-2024-ca.pem") || !strings.Contains(err.Error(), tmp) {
		t.Errorf("ordinary mistakes must stay shown: %v", err)
	}
}

// A directory setting holding a key would put the key on disk as a
// directory's name (the report directory is made even for a
// configuration error's report): it is refused, and the report goes to
// the default directory instead.
func TestADirectorySettingHoldingAKeyIsRefused(t *testing.T) {
	const key = "DirKey0a1b2c3d4e5f6a7b8c9d"
	for _, name := range []string{EnvReportDir, EnvCassetteDir, EnvCassetteCache} {
		c, err := loadVars(map[string]string{name: key})
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s holding a key was accepted: %v", name, err)
			continue
		}
		if strings.Contains(err.Error(), key) {
			t.Errorf("%s: the error shows the key: %v", name, err)
		}
		for _, p := range []string{c.ReportDir, c.CassetteDir, c.CassetteCache} {
			if strings.Contains(p, key) {
				t.Errorf("%s: a directory named after the key would be made: %s", name, p)
			}
		}
	}
}
