package config

import (
	"errors"
	"os"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/winston-conformance/winston-conformance/harness/redact"
)

var (
	loadOnce   sync.Once
	loadedCfg  *Config
	loadedErr  error
	processEnv = os.LookupEnv
	// processEnviron lists the process environment, for the names of the
	// WINSTON_* variables set (a misspelt one is refused).
	processEnviron = os.Environ
)

// Load reads the configuration from the process environment. It reads once
// per process and returns the same result on every call, so that every part
// of a run (and a default report directory named after the start time)
// agrees.
//
// On error the Config is still returned, partial, so that the report of the
// configuration error can be written (Mode, ReportDir and the URL fields
// are always non-nil); never send requests with it. The error is
// errors.Join of *FieldError, one per problem.
func Load() (*Config, error) {
	loadOnce.Do(func() { loadedCfg, loadedErr = loadEnviron(processEnv, processEnviron()) })
	return loadedCfg, loadedErr
}

// LoadFrom reads the configuration through lookup (os.LookupEnv, or
// MapLookup in tests), validates it and registers the API keys with
// redact.Global(). Relative paths are taken from the repository root, the
// nearest directory above the working directory that holds go.mod (the suite
// itself runs in suites/). See Load for what is returned on error.
func LoadFrom(lookup func(string) (string, bool)) (*Config, error) {
	return loadEnviron(lookup, nil)
}

// loadEnviron is LoadFrom that also knows the whole environment (NAME=value
// entries, as os.Environ gives them), so that a WINSTON_* variable the
// suite does not know is refused rather than silently ignored.
func loadEnviron(lookup func(string) (string, bool), environ []string) (*Config, error) {
	wd, err := os.Getwd()
	if err != nil {
		wd = "."
	}
	l := &loader{lookup: lookup, wd: wd, clock: time.Now, environ: environ}
	return l.load()
}

// MapLookup adapts a map of variables to LoadFrom, for tests and tools that
// build a configuration without touching the process environment.
func MapLookup(vars map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	}
}

// loader holds the state of one LoadFrom call: where values come from, and
// every problem found so far (all are reported at once).
type loader struct {
	lookup   func(string) (string, bool)
	wd, root string
	clock    func() time.Time
	cfgFile  string
	file     map[string]fileValue
	environ  []string
	errs     []error
}

func (l *loader) load() (*Config, error) {
	l.root = repoRoot(l.wd)
	l.checkNames()
	l.readFile()
	c := &Config{Mode: ModeReplay, BaseURL: emptyURL(), HTTPURL: emptyURL(), File: l.cfgFile}
	l.loadMode(c)
	l.loadKeys(c)
	l.loadURLs(c)
	l.loadIdentity(c)
	l.loadPaths(c)
	l.loadNumbers(c)
	l.loadMutations(c)
	if len(l.errs) > 0 {
		return c, errors.Join(l.errs...)
	}
	return c, nil
}

// get returns a setting: the environment first (an empty value counts as
// unset, as Makefiles pass empty variables through), then the file.
func (l *loader) get(name string) (value, source string, ok bool) {
	if v, ok := l.lookup(name); ok && strings.TrimSpace(v) != "" {
		return strings.TrimSpace(v), "", true
	}
	if fv, ok := l.file[name]; ok && strings.TrimSpace(fv.value) != "" {
		return strings.TrimSpace(fv.value), "file " + l.cfgFile + ", key " + fv.key, true
	}
	return "", "", false
}

// getEnv returns a setting that only the environment may carry (the keys).
func (l *loader) getEnv(name string) (string, bool) {
	v, ok := l.lookup(name)
	v = strings.TrimSpace(v)
	return v, ok && v != ""
}

// fail records a problem; value is redacted before it is kept. A refused
// value shaped like a key is registered with the redactor first: it is
// most likely a key pasted into the wrong variable, and the error would
// otherwise carry it into every report.
func (l *loader) fail(variable, source, value, problem, fix string) {
	guardRefused(value)
	l.errs = append(l.errs, &FieldError{
		Variable: variable,
		Source:   source,
		Value:    redact.Global().String(value),
		Problem:  redact.Global().String(problem),
		Fix:      fix,
	})
}

func (l *loader) loadMode(c *Config) {
	v, src, ok := l.get(EnvMode)
	if !ok {
		return
	}
	switch m := Mode(strings.ToLower(v)); m {
	case ModeReplay, ModeRecord, ModeLive:
		c.Mode = m
	default:
		l.fail(EnvMode, src, v, "is not a mode this suite knows",
			"set WINSTON_MODE to replay (answers from cassettes), record or live")
	}
}

// loadKeys reads the keys and registers them with the redactor before any
// other check can put them in a message.
func (l *loader) loadKeys(c *Config) {
	r := redact.Global()
	key, hasKey := l.getEnv(EnvAPIKey)
	key2, hasKey2 := l.getEnv(EnvAPIKey2)
	if hasKey {
		r.Add(key, KeyPlaceholder)
	}
	if hasKey2 {
		r.Add(key2, Key2Placeholder)
	}
	switch {
	case hasKey:
		if problem := keyProblem(key); problem != "" {
			l.fail(EnvAPIKey, "", "(set)", problem, "copy the key from the 'API development' integration again and export it as WINSTON_API_KEY")
		} else {
			c.apiKey = key
		}
	case c.IsReplay():
		r.AddPublic(StandInKey, KeyPlaceholder) // a published constant: no secret to hunt
		c.apiKey, c.standIn = StandInKey, true
	default:
		l.fail(EnvAPIKey, "", "", "is required in "+string(c.Mode)+" mode",
			"export WINSTON_API_KEY=<the key of the 'API development' integration>; it is read from the environment only, never from a file")
	}
	switch {
	case hasKey2 && key2 == key:
		l.fail(EnvAPIKey2, "", "(set)", "is the same key as WINSTON_API_KEY, so it cannot show that tenants are isolated",
			"set WINSTON_API_KEY_2 to a key of another tenant, or unset it to skip the isolation check")
	case hasKey2:
		if problem := keyProblem(key2); problem != "" {
			l.fail(EnvAPIKey2, "", "(set)", problem, "copy the second tenant's key again, or unset WINSTON_API_KEY_2")
		} else {
			c.apiKey2 = key2
		}
	case c.IsReplay():
		r.AddPublic(StandInKey2, Key2Placeholder)
		c.apiKey2, c.standIn2 = StandInKey2, true
	}
	// The near-miss key shows all of the key but one character: a secret
	// like the key, except for the stand-in's, which is public.
	switch {
	case c.apiKey == "":
	case c.standIn:
		r.AddPublic(c.NearKey(), NearKeyPlaceholder)
	default:
		r.Add(c.NearKey(), NearKeyPlaceholder)
	}
}

// keyProblem says what is wrong with a key as pasted, and what to remove,
// or "" when it may be sent. Quotes and whitespace are found before the
// run: sent as they are, they only earn a 401 and a hint afterwards.
func keyProblem(key string) string {
	if len(key) < redact.MinSecretLen {
		return "is shorter than 6 characters: too short to be a key, and too short to be redacted from reports safely"
	}
	first, _ := utf8.DecodeRuneInString(key)
	last, _ := utf8.DecodeLastRuneInString(key)
	switch {
	case isQuote(first) && isQuote(last):
		return "starts and ends with a quote: remove the quotes (a key pasted with its quotes, as in WINSTON_API_KEY=\"'<key>'\", keeps them)"
	case isQuote(first):
		return "starts with a quote: remove it (a key pasted with its quotes keeps them)"
	case isQuote(last):
		return "ends with a quote: remove it (a key pasted with its quotes keeps them)"
	}
	if !utf8.ValidString(key) {
		return "holds bytes that are not text (invalid UTF-8), so it is not the key as Winston issued it: copy it again from the 'API development' integration"
	}
	for _, r := range key {
		if unicode.IsSpace(r) {
			return "has whitespace inside: remove it (a key pasted across lines or with a space), since an Authorization header cannot carry it"
		}
		if unicode.IsControl(r) {
			return "contains control characters, which cannot travel in an Authorization header: copy it again"
		}
	}
	return ""
}

// isQuote reports whether r is a quote a pasted key may carry: ASCII
// quotes and backquotes, and the typographic quotes word processors put in.
func isQuote(r rune) bool {
	return strings.ContainsRune("'\"`\u2018\u2019\u201c\u201d", r)
}

func (l *loader) loadIdentity(c *Config) {
	c.AppName = DefaultAppName
	if v, src, ok := l.get(EnvAppName); ok {
		guardAppName(v)
		if strings.ContainsAny(v, "@ \t\r\n") {
			l.fail(EnvAppName, src, v, "contains @ or whitespace, which the Token <app name>@<api key> header cannot carry",
				"set WINSTON_APP_NAME to the app name Winston assigned (api_test in the development environment)")
		} else {
			c.AppName = v
		}
	}
	c.AuthScheme = SchemeToken
	if v, src, ok := l.get(EnvAuthScheme); ok {
		switch s := strings.ToLower(v); s {
		case SchemeToken, SchemeBearer:
			c.AuthScheme = s
		default:
			l.fail(EnvAuthScheme, src, v, "is not an auth scheme this suite knows",
				"set WINSTON_AUTH_SCHEME to token (Token <app>@<key>, the default) or bearer (Bearer <key>)")
		}
	}
}
