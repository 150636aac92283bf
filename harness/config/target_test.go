package config

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

func TestMutationPolicy(t *testing.T) {
	cases := []struct {
		mode, base, allow string
		want              bool
		reason            string
	}{
		{"replay", "", "", true, "replay mode"},
		{"replay", "", "false", false, "WINSTON_ALLOW_MUTATIONS is false"},
		{"live", "https://127.0.0.1:8443", "", true, "loopback"},
		{"live", "https://localhost", "", true, "loopback"},
		{"live", "https://[::1]", "", true, "loopback"},
		{"live", "https://api-qa.mrwinston.com", "", true, `label "api-qa", left of the registrable domain, has the word "qa"`},
		{"record", "https://sandbox.example.org", "", true, `"sandbox"`},
		{"live", "https://api.staging-eu.example.com", "", true, `"staging"`},
		{"live", "https://api.test.example.net", "", true, `"test"`},
		{"live", "https://dev2.example.io", "", true, `"dev"`},
		{"live", "https://qa.mrwinston.co.uk", "", true, `"qa"`},
		{"live", "https://api-qa.mrwinston.com.", "", true, `"qa"`},
		// A public suffix or the organisation's own name is not an
		// environment: these may be production.
		{"live", "https://api.mrwinston.dev", "", false, "may be production"},
		{"live", "https://pos.mrwinston.qa", "", false, "may be production"},
		{"live", "https://mrwinston.test", "", false, "may be production"},
		{"live", "https://qa.example", "", false, "may be production"},
		{"live", "https://api.staging.co.uk", "", false, "may be production"},
		{"live", "https://sandbox.com.au", "", false, "may be production"},
		{"live", "https://qa", "", false, "may be production"},
		{"live", "https://10.0.0.7", "", false, "may be production"},
		{"live", "https://api.mrwinston.com", "", false, "may be production"},
		{"live", "https://latest.example.com", "", false, "may be production"},
		{"live", "https://devices.example.com", "", false, "may be production"},
		{"live", "https://api.mrwinston.com", "true", true, "WINSTON_ALLOW_MUTATIONS is true"},
		{"live", "https://api-qa.mrwinston.com", "0", false, "WINSTON_ALLOW_MUTATIONS is false"},
	}
	for _, tc := range cases {
		vars := map[string]string{EnvMode: tc.mode, EnvAPIKey: planted, EnvAllowMutations: tc.allow}
		if tc.base != "" {
			vars[EnvBaseURL] = tc.base
			vars[EnvHTTPURL] = "http://" + strings.TrimPrefix(tc.base, "https://")
		}
		c := mustLoad(t, vars)
		if c.AllowMutations != tc.want || !strings.Contains(c.MutationsReason, tc.reason) {
			t.Errorf("%s %s allow=%q: got %v (%s), want %v (%s)", tc.mode, tc.base, tc.allow, c.AllowMutations, c.MutationsReason, tc.want, tc.reason)
		}
		if set := tc.allow != ""; c.AllowMutationsSet != set || c.Redacted().AllowMutationsSet != set {
			t.Errorf("%s %s allow=%q: AllowMutationsSet %v, want %v (a reproduce line carries the switch only when it was set)",
				tc.mode, tc.base, tc.allow, c.AllowMutationsSet, set)
		}
		if strings.HasSuffix(c.MutationsReason, ".") {
			t.Errorf("the reason is used inside sentences and must not end with a period: %q", c.MutationsReason)
		}
	}
}

func TestEveryVariableIsReadAndEveryFileKeyAccepted(t *testing.T) {
	seen := map[string]bool{}
	spy := func(name string) (string, bool) {
		seen[name] = true
		return "", false
	}
	if _, err := LoadFrom(spy); err != nil {
		t.Fatal(err)
	}
	for _, v := range Variables() {
		if !seen[v.Name] {
			t.Errorf("Variables lists %s but LoadFrom never reads it", v.Name)
		}
		if v.Default == "" || v.Description == "" {
			t.Errorf("%s needs a default and a description for the README", v.Name)
		}
		delete(seen, v.Name)
	}
	if len(seen) > 0 {
		t.Errorf("LoadFrom reads variables that Variables does not document: %v", seen)
	}

	dir := t.TempDir()
	ca := writeCA(t, dir)
	values := map[string]string{
		"mode": "live", "baseUrl": "https://h.example", "httpUrl": "http://h.example:8080", "appName": "a",
		"authScheme": "bearer", "caFile": ca, "reportDir": dir, "allowMutations": "true", "catalogue": ca,
		"cassetteDir": dir, "now": "2026-01-02T03:04:05Z", "timeout": "1s", "maxRps": "1", "retries": "1",
		"concurrency": "1", "knownIssues": ca, "profile": ca, "historyDir": dir, "maxBody": "1", "cassetteCache": "off",
	}
	var lines []string
	for k, v := range values {
		lines = append(lines, k+": "+v)
	}
	sort.Strings(lines)
	f := filepath.Join(dir, "all.yaml")
	mustWrite(t, f, strings.Join(lines, "\n")+"\n")
	c := mustLoad(t, map[string]string{EnvConfig: f, EnvAPIKey: planted})
	if c.HTTPURL.String() != "http://h.example:8080" || c.AuthScheme != SchemeBearer || c.MaxBody != 1 || c.Now.Year() != 2026 || c.Profile != ca || c.CassetteCache != "off" {
		t.Errorf("file settings not applied: %v", c)
	}
	for k := range fileKeys() {
		if _, ok := values[k]; !ok {
			t.Errorf("file key %s is not covered by this test", k)
		}
	}
}

// TestREADMEListsEveryVariable keeps the README's configuration table in
// step with Variables: scripts rely on these names.
func TestREADMEListsEveryVariable(t *testing.T) {
	readme := filepath.Join(repoRoot(mustWd(t)), "README.md")
	data, err := os.ReadFile(readme) // #nosec G304 -- the repository's own README
	if os.IsNotExist(err) {
		t.Skip("no README.md at the repository root")
	}
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	for _, v := range Variables() {
		if !strings.Contains(string(data), v.Name) {
			missing = append(missing, v.Name)
		}
	}
	if len(missing) > 0 {
		t.Errorf("README.md does not mention %s. Paste this configuration table into it:\n\n%s",
			strings.Join(missing, ", "), MarkdownTable())
	}
}

func TestMarkdownTable(t *testing.T) {
	table := MarkdownTable()
	if got, want := strings.Count(table, "\n"), len(Variables())+2; got != want {
		t.Errorf("table has %d lines, want %d", got, want)
	}
	if strings.Contains(table, "<repo>") || !strings.Contains(table, "&lt;repo&gt;") || !strings.Contains(table, "(environment only)") {
		t.Errorf("table cells not escaped or key column missing:\n%s", table)
	}
}

func TestParseOriginNormalises(t *testing.T) {
	u, problem, _ := parseOrigin("HTTPS://API-QA.mrwinston.com/", "https")
	if problem != "" || u.String() != "https://api-qa.mrwinston.com" {
		t.Errorf("got %v %q", u, problem)
	}
	if !isLoopback("LOCALHOST.") || !isLoopback("app.localhost") || isLoopback("example.com") {
		t.Error("isLoopback")
	}
}
