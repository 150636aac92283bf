// Package config is the suite's configuration: one typed struct, loaded once
// per test process from WINSTON_* environment variables (an optional YAML
// file named by WINSTON_CONFIG may add to them), validated before any request
// is sent, with a Redacted view for reports.
//
// Loading is also the one point where secrets enter the redactor: Load
// registers the API keys with redact.Global(), so that every later output
// (cassettes, reports, failure messages) shows <WINSTON_API_KEY> in their
// place.
package config

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/winston-conformance/winston-conformance/harness/redact"
)

// Mode says where answers come from.
type Mode string

// The three modes of a run.
const (
	// ModeReplay answers every request from the committed cassettes and
	// never dials: the default, safe anywhere, needs no key.
	ModeReplay Mode = "replay"
	// ModeRecord sends requests to the target and writes the answers to
	// cassettes (normally against the local sandbox).
	ModeRecord Mode = "record"
	// ModeLive sends requests to the target and records nothing: the mode
	// whose report is evidence about a real environment.
	ModeLive Mode = "live"
)

// Auth schemes for the valid Authorization header.
const (
	// SchemeToken sends "Token <app name>@<api key>" (the introduction's
	// and the QA docs' form; the default).
	SchemeToken = "token"
	// SchemeBearer sends "Bearer <api key>" (the production migration
	// guide's form).
	SchemeBearer = "bearer"
)

// StandInKey is the key used in replay mode when WINSTON_API_KEY is unset.
// It is registered with the redactor like a real key, so requests redact to
// the same <WINSTON_API_KEY> placeholder the cassettes hold.
const StandInKey = "replay-mode-stand-in-key"

// StandInKey2 plays the same role for WINSTON_API_KEY_2 in replay mode, so
// the tenant-isolation check replays its recorded answers.
const StandInKey2 = "replay-mode-stand-in-key-2"

// Placeholders the redactor shows in place of the keys.
const (
	KeyPlaceholder  = "<WINSTON_API_KEY>"
	Key2Placeholder = "<WINSTON_API_KEY_2>"
	// NearKeyPlaceholder stands for NearKey(WINSTON_API_KEY), which
	// shows all of the key but one character and is kept as secret.
	NearKeyPlaceholder = "<WINSTON_API_KEY:altered>"
)

// NearKey is key with its last letter or digit replaced by Z (z where it
// was Z), and never equal to any of avoid (the second tenant's key, which a
// server accepts): the key a server that compares only a prefix of keys, or
// looks a key up by its id and never checks the rest, takes for key. A
// letter, not the next digit: keys issued in sequence differ in their last
// digits, and the next one may be another tenant's. It reveals all of key
// but one character, so it is registered with the redactor as a secret. A
// key with no letter or digit has its last ASCII character replaced (its
// last character, when it has none), so that it stays valid UTF-8.
func NearKey(key string, avoid ...string) string {
	b := []byte(key)
	i := len(b) - 1
	for i >= 0 && !isAlnumByte(b[i]) {
		i--
	}
	for j := len(b) - 1; i < 0 && j >= 0; j-- {
		if b[j] < 0x80 {
			i = j // no letter or digit: the last ASCII byte
		}
	}
	if i < 0 {
		// Not one ASCII byte: the last character is replaced whole, so
		// that the key stays valid UTF-8.
		if key == "" {
			return key
		}
		_, size := utf8.DecodeLastRuneInString(key)
		b = append([]byte(key[:len(key)-size]), 'Z')
		i = len(b) - 1
	}
	for _, c := range []byte("ZzXxQq") {
		b[i] = c
		if near := string(b); near != key && !slices.Contains(avoid, near) {
			return near
		}
	}
	return string(b)
}

func isAlnumByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// Config is the validated configuration of one run. Build it with Load or
// LoadFrom, never by hand: the API keys are unexported so that printing,
// logging or JSON-encoding a Config can never show them (String, GoString
// and MarshalJSON all give the redacted view).
type Config struct {
	// Mode is replay, record or live (WINSTON_MODE).
	Mode Mode
	// BaseURL is the https origin of the target (WINSTON_BASE_URL).
	BaseURL *url.URL
	// HTTPURL is the plain-http origin used only by the redirect checks,
	// which never carry credentials (WINSTON_HTTP_URL).
	HTTPURL *url.URL
	// AppName is the integration's app name (WINSTON_APP_NAME).
	AppName string
	// AuthScheme is SchemeToken or SchemeBearer (WINSTON_AUTH_SCHEME).
	AuthScheme string
	// CAFile is an extra trusted CA bundle (PEM), added to the system
	// roots; "" for none (WINSTON_CA_FILE).
	CAFile string
	// ReportDir is where this run's report goes; a new directory per run
	// by default (WINSTON_REPORT_DIR).
	ReportDir string
	// CassetteDir holds the cassettes (WINSTON_CASSETTE_DIR).
	CassetteDir string
	// CassetteCache is where replay keeps parsed cassettes
	// (WINSTON_CASSETTE_CACHE): "" for the user cache, "off", or a directory.
	CassetteCache string
	// Catalogue is the catalogue file, "" for the embedded one
	// (WINSTON_CATALOGUE).
	Catalogue string
	// KnownIssues is the known-issue ledger file, "" for none
	// (WINSTON_KNOWN_ISSUES).
	KnownIssues string
	// Profile is the integration profile file, "" for none
	// (WINSTON_PROFILE).
	Profile string
	// HistoryDir holds earlier report.json files for trends, "" for none
	// (WINSTON_HISTORY_DIR).
	HistoryDir string
	// File is the YAML configuration file that was read, "" for none
	// (WINSTON_CONFIG).
	File string
	// AllowMutations says whether checks that create data may run
	// (WINSTON_ALLOW_MUTATIONS, or the host policy when unset).
	AllowMutations bool
	// AllowMutationsSet says that WINSTON_ALLOW_MUTATIONS (or the file's
	// allowMutations) decided AllowMutations, not the host policy: a
	// reproduce line then carries it, and only then, so that a line
	// pasted with another base URL never turns mutations on by itself.
	AllowMutationsSet bool
	// MutationsReason explains AllowMutations in one sentence without a
	// final period, for skip messages and reports.
	MutationsReason string
	// Now is the reference time for fixtures (WINSTON_NOW); zero if unset.
	Now time.Time
	// Timeout bounds each request attempt, body included (WINSTON_TIMEOUT).
	Timeout time.Duration
	// MaxRPS caps requests per second across all processes of the run;
	// 0 means no cap (WINSTON_MAX_RPS).
	MaxRPS float64
	// Retries is how many times a 429, 502, 503 or 504 is retried
	// (WINSTON_RETRIES).
	Retries int
	// Concurrency bounds the requests one spec sends at once
	// (WINSTON_CONCURRENCY).
	Concurrency int
	// MaxBody is the most response bytes read; a longer body is cut and
	// flagged (WINSTON_MAX_BODY).
	MaxBody int64

	apiKey, apiKey2   string
	standIn, standIn2 bool
}

// APIKey returns the API key to send: WINSTON_API_KEY, or StandInKey in
// replay mode when it is unset. Only the client calls this; everything
// else uses KeyFingerprint.
func (c *Config) APIKey() string { return c.apiKey }

// NearKey returns NearKey of the key, never the second tenant's key: the
// near-miss credential of the wrong-key check.
func (c *Config) NearKey() string { return NearKey(c.apiKey, c.apiKey2) }

// APIKey2 returns the second tenant's key (WINSTON_API_KEY_2), "" if unset.
func (c *Config) APIKey2() string { return c.apiKey2 }

// HasSecondKey reports whether a second tenant's key is configured, which
// the tenant-isolation check needs.
func (c *Config) HasSecondKey() bool { return c.apiKey2 != "" }

// UsesStandInKey reports whether the key is the replay stand-in rather than
// a key the user supplied.
func (c *Config) UsesStandInKey() bool { return c.standIn }

// IsLive reports whether requests go to the target and nothing is recorded.
func (c *Config) IsLive() bool { return c.Mode == ModeLive }

// IsReplay reports whether answers come from cassettes.
func (c *Config) IsReplay() bool { return c.Mode == ModeReplay }

// IsRecord reports whether requests go to the target and are recorded.
func (c *Config) IsRecord() bool { return c.Mode == ModeRecord }

// KeyFingerprint identifies the API key in reports without revealing it:
// "sha256:" and the first 12 hex digits of the key's SHA-256, "stand-in"
// for the replay stand-in, "unset" when there is no key.
func (c *Config) KeyFingerprint() string {
	if c.standIn {
		return "stand-in"
	}
	return Fingerprint(c.apiKey)
}

// Fingerprint returns "sha256:" and the first 12 hex digits of the SHA-256
// of key, or "unset" for an empty key. Two runs with the same fingerprint
// used the same key.
func Fingerprint(key string) string {
	if key == "" {
		return "unset"
	}
	sum := sha256.Sum256([]byte(key))
	return "sha256:" + hex.EncodeToString(sum[:])[:12]
}

// String gives the redacted view on one line; the keys never appear.
func (c Config) String() string {
	raw, err := json.Marshal(c.Redacted()) //nolint:gosec // G117: Redacted holds "set"/"unset" and a fingerprint, never the key
	if err != nil {
		return fmt.Sprintf("config(%s)", c.Mode)
	}
	return "config" + string(raw)
}

// GoString makes %#v print the redacted view too.
func (c Config) GoString() string { return c.String() }

// MarshalJSON encodes the redacted view, so that a Config put into a report
// by mistake still carries no key.
func (c Config) MarshalJSON() ([]byte, error) {
	raw, err := json.Marshal(c.Redacted())
	if err != nil {
		return nil, fmt.Errorf("encode redacted config: %w", err)
	}
	return raw, nil
}

// Redacted is the configuration as a report shows it: every field, with the
// API keys replaced by "set"/"unset"/"stand-in" and a fingerprint, and every
// string passed through the redactor.
type Redacted struct {
	Mode               string `json:"mode"`
	BaseURL            string `json:"baseUrl"`
	HTTPURL            string `json:"httpUrl"`
	AppName            string `json:"appName"`
	APIKey             string `json:"apiKey"`
	APIKeyFingerprint  string `json:"apiKeyFingerprint,omitempty"`
	APIKey2            string `json:"apiKey2"`
	APIKey2Fingerprint string `json:"apiKey2Fingerprint,omitempty"`
	AuthScheme         string `json:"authScheme"`
	CAFile             string `json:"caFile,omitempty"`
	ReportDir          string `json:"reportDir"`
	CassetteDir        string `json:"cassetteDir"`
	CassetteCache      string `json:"cassetteCache,omitempty"`
	// Catalogue is the catalogue file, or "embedded".
	Catalogue      string `json:"catalogue"`
	KnownIssues    string `json:"knownIssues,omitempty"`
	Profile        string `json:"profile,omitempty"`
	HistoryDir     string `json:"historyDir,omitempty"`
	File           string `json:"configFile,omitempty"`
	AllowMutations bool   `json:"allowMutations"`
	// AllowMutationsSet is true when WINSTON_ALLOW_MUTATIONS decided
	// AllowMutations rather than the host policy.
	AllowMutationsSet bool    `json:"allowMutationsSet,omitempty"`
	MutationsReason   string  `json:"mutationsReason"`
	Now               string  `json:"now,omitempty"`
	Timeout           string  `json:"timeout"`
	MaxRPS            float64 `json:"maxRps"`
	Retries           int     `json:"retries"`
	Concurrency       int     `json:"concurrency"`
	MaxBody           int64   `json:"maxBody"`
}

// Redacted returns the view of c that reports show.
func (c *Config) Redacted() Redacted {
	r := redact.Global()
	s := r.String
	out := Redacted{
		Mode:              string(c.Mode),
		AppName:           s(c.AppName),
		AuthScheme:        c.AuthScheme,
		CAFile:            s(c.CAFile),
		ReportDir:         s(c.ReportDir),
		CassetteDir:       s(c.CassetteDir),
		CassetteCache:     s(c.CassetteCache),
		Catalogue:         s(c.Catalogue),
		KnownIssues:       s(c.KnownIssues),
		Profile:           s(c.Profile),
		HistoryDir:        s(c.HistoryDir),
		File:              s(c.File),
		AllowMutations:    c.AllowMutations,
		AllowMutationsSet: c.AllowMutationsSet,
		MutationsReason:   s(c.MutationsReason),
		Timeout:           c.Timeout.String(),
		MaxRPS:            c.MaxRPS,
		Retries:           c.Retries,
		Concurrency:       c.Concurrency,
		MaxBody:           c.MaxBody,
	}
	if c.BaseURL != nil {
		out.BaseURL = s(c.BaseURL.String())
	}
	if c.HTTPURL != nil {
		out.HTTPURL = s(c.HTTPURL.String())
	}
	if out.Catalogue == "" {
		out.Catalogue = "embedded"
	}
	if !c.Now.IsZero() {
		out.Now = c.Now.UTC().Format(time.RFC3339)
	}
	out.APIKey, out.APIKeyFingerprint = keyState(c.apiKey, c.standIn)
	out.APIKey2, out.APIKey2Fingerprint = keyState(c.apiKey2, c.standIn2)
	return out
}

func keyState(key string, standIn bool) (state, fingerprint string) {
	switch {
	case key == "":
		return "unset", ""
	case standIn:
		return "stand-in", ""
	default:
		return "set", Fingerprint(key)
	}
}
