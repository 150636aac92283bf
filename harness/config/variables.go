package config

import (
	"fmt"
	"slices"
	"strings"

	"github.com/winston-conformance/winston-conformance/harness/redact"
)

// Variable documents one configuration variable. The README's configuration
// table is checked against Variables, so scripts can rely on the names.
type Variable struct {
	// Name is the environment variable, e.g. WINSTON_BASE_URL.
	Name string
	// FileKey is the key of the same setting in the WINSTON_CONFIG file
	// (lower camel case), "" when the setting may not be in the file (the
	// API keys, and WINSTON_CONFIG itself).
	FileKey string
	// Default is what applies when the variable is unset, in words.
	Default string
	// Description says what the variable does, for the README.
	Description string
}

// Names of the variables, as scripts use them.
const (
	EnvMode           = "WINSTON_MODE"
	EnvBaseURL        = "WINSTON_BASE_URL"
	EnvHTTPURL        = "WINSTON_HTTP_URL"
	EnvAppName        = "WINSTON_APP_NAME"
	EnvAPIKey         = "WINSTON_API_KEY"   //nolint:gosec // G101: the name of the variable, not a credential
	EnvAPIKey2        = "WINSTON_API_KEY_2" //nolint:gosec // G101: the name of the variable, not a credential
	EnvAuthScheme     = "WINSTON_AUTH_SCHEME"
	EnvCAFile         = "WINSTON_CA_FILE"
	EnvReportDir      = "WINSTON_REPORT_DIR"
	EnvAllowMutations = "WINSTON_ALLOW_MUTATIONS"
	EnvConfig         = "WINSTON_CONFIG"
	EnvCatalogue      = "WINSTON_CATALOGUE"
	EnvCassetteDir    = "WINSTON_CASSETTE_DIR"
	EnvCassetteCache  = "WINSTON_CASSETTE_CACHE"
	EnvNow            = "WINSTON_NOW"
	EnvTimeout        = "WINSTON_TIMEOUT"
	EnvMaxRPS         = "WINSTON_MAX_RPS"
	EnvRetries        = "WINSTON_RETRIES"
	EnvConcurrency    = "WINSTON_CONCURRENCY"
	EnvKnownIssues    = "WINSTON_KNOWN_ISSUES"
	EnvProfile        = "WINSTON_PROFILE"
	EnvHistoryDir     = "WINSTON_HISTORY_DIR"
	EnvMaxBody        = "WINSTON_MAX_BODY"
)

// Defaults of the numeric settings.
const (
	DefaultAppName     = "api_test"
	DefaultBaseURL     = "https://replay.invalid"
	DefaultHTTPURL     = "http://replay.invalid"
	DefaultTimeout     = "15s"
	DefaultMaxRPS      = 10.0
	DefaultRetries     = 2
	DefaultConcurrency = 4
	DefaultMaxBody     = 16 << 20
)

// Variables lists every configuration variable in the order the README
// shows them.
func Variables() []Variable {
	return []Variable{
		{EnvMode, "mode", "replay", "replay (answers from cassettes, never dials), record (send and write cassettes) or live (send, record nothing)."},
		{EnvBaseURL, "baseUrl", "https://replay.invalid in replay; required in record and live", "The https origin of the target, without a path, e.g. https://api-qa.mrwinston.com."},
		{EnvHTTPURL, "httpUrl", "derived from WINSTON_BASE_URL when it uses the default port (https://h -> http://h); http://replay.invalid in replay", "The plain-http origin for the redirect checks, which never carry credentials. Required in record and live when the base URL has a non-default port."},
		{EnvAppName, "appName", DefaultAppName, "The integration's app name, sent as Token <app name>@<api key>."},
		{EnvAPIKey, "", "required in record and live; the stand-in replay-mode-stand-in-key in replay", "The tenant's API key. Environment only: never put it in a file. Shown in reports as a fingerprint."},
		{EnvAPIKey2, "", "unset (the tenant-isolation check is skipped); a stand-in in replay", "A second tenant's API key, for the tenant-isolation check. Environment only."},
		{EnvAuthScheme, "authScheme", "token", "token (Authorization: Token <app>@<key>) or bearer (Authorization: Bearer <key>)."},
		{EnvCAFile, "caFile", "none (system roots only)", "A PEM file of extra trusted CA certificates, added to the system roots. TLS verification is always on."},
		{EnvReportDir, "reportDir", "<repo>/reports/<UTC yyyymmdd-hhmmss>-<mode>", "Where the report is written; by default a new directory per run."},
		{EnvAllowMutations, "allowMutations", "true in replay and for loopback or test-looking hosts (a qa, test, sandbox, dev or staging label left of the registrable domain); false otherwise", "Whether checks that create data (orders) may run."},
		{EnvConfig, "", "none", "A YAML file with the same settings in lower camel case (baseUrl, appName, ...). The environment wins over the file."},
		{EnvCatalogue, "catalogue", "the embedded catalogue", "A catalogue file (a copy of harness/catalogue/catalogue.yaml with your environment's fixtures)."},
		{EnvCassetteDir, "cassetteDir", "<repo>/cassettes", "The cassette directory."},
		{EnvCassetteCache, "cassetteCache", "<user cache dir>/winston-conformance/cassettes", "Where replay keeps parsed cassettes between runs, keyed by the SHA-256 of each YAML (derived data, safe to delete): off to parse the YAML every run, or a directory."},
		{EnvNow, "now", "the cassette's reference time in replay, else the start of the run", "The RFC 3339 reference time that fixtures such as ${now-36h} resolve against. For the sandbox's fixed clock: a run against an environment with it set is not ready for go-live."},
		{EnvTimeout, "timeout", DefaultTimeout, "A Go duration bounding each request attempt, body included: from 100ms to 10m."},
		{EnvMaxRPS, "maxRps", "10", "Requests per second across all processes of the run; 0 means no cap."},
		{EnvRetries, "retries", "2", "How many times a 429, 502, 503 or 504 answer is retried (0 to 10). Retries are reported, never hidden."},
		{EnvConcurrency, "concurrency", "4", "How many requests one check sends at once (1 to 64)."},
		{EnvKnownIssues, "knownIssues", "none", "A known-issue ledger file: failures it matches are reported as known vendor issues."},
		{EnvProfile, "profile", "none", "An integration profile file: the endpoints and requirements your integration uses."},
		{EnvHistoryDir, "historyDir", "none", "A folder of earlier report.json files, for trends."},
		{EnvMaxBody, "maxBody", "16MiB", "The most bytes of a response read (bytes, or with a KiB, MiB or GiB suffix; KB, MB and GB are read as the same binary units); a longer body is cut and flagged."},
	}
}

// fileKeys maps the keys allowed in the WINSTON_CONFIG file to their
// variables.
func fileKeys() map[string]string {
	out := map[string]string{}
	for _, v := range Variables() {
		if v.FileKey != "" {
			out[v.FileKey] = v.Name
		}
	}
	return out
}

// MarkdownTable renders Variables as the README's configuration table.
func MarkdownTable() string {
	var b strings.Builder
	b.WriteString("| variable | file key | default | what it does |\n|---|---|---|---|\n")
	for _, v := range Variables() {
		key := v.FileKey
		if key == "" {
			key = "(environment only)"
		} else {
			key = "`" + key + "`"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", v.Name, key, escapeCell(v.Default), escapeCell(v.Description))
	}
	return b.String()
}

// escapeCell keeps a table cell on one row and keeps <placeholders> visible
// (Markdown would take them for HTML tags).
func escapeCell(s string) string {
	return strings.NewReplacer("|", `\|`, "<", "&lt;", ">", "&gt;").Replace(s)
}

// otherVariables are WINSTON_* variables that are not configuration but
// are read elsewhere, with what reads them: they are not typos.
var otherVariables = map[string]string{
	"WINSTON_SUITE_VERSION":   "the report's suite version, for a build without .git",
	"WINSTON_REQUIRE_BROWSER": "make unit: the report's browser test fails, not skips, without chromium",
}

// envPrefix starts every variable of the suite.
const envPrefix = "WINSTON_"

// checkNames refuses WINSTON_* variables the suite does not know: a typo
// (WINSTON_APIKEY, WINSTON_CATALOG) would otherwise leave the setting at
// its default without a word. The value is never shown (it may be a key);
// one whose name speaks of a key or token is handed to the redactor too.
func (l *loader) checkNames() {
	vars := Variables()
	known := make([]string, 0, len(vars)+len(otherVariables))
	for _, v := range vars {
		known = append(known, v.Name)
	}
	for name := range otherVariables {
		known = append(known, name)
	}
	seen := map[string]bool{}
	for _, kv := range l.environ {
		name, value, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, envPrefix) || seen[name] || slices.Contains(known, name) {
			continue
		}
		seen[name] = true
		shown, hidden := displayName(name)
		if hidden {
			// The name itself may hold a key: keep it out of every output.
			redact.Global().Add(name, shown)
		}
		closest := closestName(shown, known)
		if shown == envPrefix+hiddenRest {
			// Nothing but the prefix and a key: it was meant to set one.
			closest = EnvAPIKey
		}
		if (looksSecret(name) || closest == EnvAPIKey || closest == EnvAPIKey2) && len(strings.TrimSpace(value)) >= redact.MinSecretLen {
			redact.Global().Add(strings.TrimSpace(value), KeyPlaceholder)
		}
		l.fail(shown, "", "", "is not a variable this suite knows (did you mean "+closest+"?), so it would be ignored",
			"rename it to "+closest+", or unset it; every variable is listed in the README's configuration table")
	}
}

// displayName is how an unknown variable's name is shown. A name is
// shown as it is when it is made of letters, digits and underscores and
// is not shaped like a key; otherwise it may hold one (a pasted
// "WINSTON_API_KEY:<key>", an "export WINSTON_$KEY"), and only its part
// up to the first other character is shown, or none of it past the
// prefix when that part is shaped like a key.
func displayName(name string) (shown string, hidden bool) {
	rest := strings.TrimPrefix(name, envPrefix)
	cut := strings.IndexFunc(rest, func(r rune) bool {
		return r != '_' && !isASCIIAlnum(r)
	})
	if cut < 0 && !keyShaped(rest) {
		return name, false
	}
	if cut >= 0 {
		rest = rest[:cut]
	}
	if keyShaped(rest) {
		rest = ""
	}
	return envPrefix + rest + hiddenRest, true
}

// hiddenRest stands for the part of a variable name that is not shown.
const hiddenRest = "<rest of the name not shown: it may hold a key>"

func looksSecret(name string) bool {
	n := strings.ToUpper(name)
	return strings.Contains(n, "KEY") || strings.Contains(n, "TOKEN") || strings.Contains(n, "SECRET")
}

// closestName is the known name nearest to name by edit distance, with
// underscores ignored so that WINSTON_APIKEY finds WINSTON_API_KEY first.
func closestName(name string, known []string) string {
	// A name whose every word is a word of a known one (WINSTON_KEY in
	// WINSTON_API_KEY) means that one, however short: look among those.
	words := strings.Split(strings.TrimPrefix(name, envPrefix), "_")
	var holding []string
	for _, k := range known {
		kw := strings.Split(strings.TrimPrefix(k, envPrefix), "_")
		all := len(words) > 0
		for _, w := range words {
			all = all && w != "" && slices.Contains(kw, w)
		}
		if all {
			holding = append(holding, k)
		}
	}
	if len(holding) > 0 {
		known = holding
	}
	squash := func(s string) string { return strings.ReplaceAll(strings.TrimPrefix(s, envPrefix), "_", "") }
	squashed := squash(name)
	return nearest(known, func(k string) int {
		return 2*editDistance(squashed, squash(k)) + editDistance(name, k)
	})
}

// Closest is the entry of known nearest to name by edit distance, ignoring
// case (the first in sorted order on a tie), or "" when known is empty: the
// "did you mean" of an unknown ID.
func Closest(name string, known []string) string {
	lower := strings.ToLower(name)
	return nearest(known, func(k string) int { return editDistance(lower, strings.ToLower(k)) })
}

// nearest is the entry of known at the smallest distance (the first in
// sorted order on a tie), or "" when known is empty: the one search behind
// every "did you mean", whichever distance suits the names.
func nearest(known []string, distance func(k string) int) string {
	sorted := slices.Clone(known)
	slices.Sort(sorted)
	best, bestD := "", -1
	for _, k := range sorted {
		if d := distance(k); bestD < 0 || d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b (bytes: the
// names are ASCII).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
