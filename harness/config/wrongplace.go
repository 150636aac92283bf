package config

import (
	"net/url"
	"strings"
	"unicode"

	"github.com/winston-conformance/winston-conformance/harness/redact"
)

// Placeholders of values that may be a key pasted into the wrong place.
const (
	// URLSecretPlaceholder stands for the user, password, query or
	// fragment of a URL setting: the suite refuses them, and a key is
	// what people most often paste there.
	URLSecretPlaceholder = "<secret in URL>" // #nosec G101 -- a placeholder, not a credential
	// NotAURLPlaceholder stands for a URL setting that is no URL at all:
	// it may be the key itself, pasted into the wrong variable.
	NotAURLPlaceholder = "<value that is not a URL>"
	// KeyLikeAppNamePlaceholder stands for an app name shaped like a key.
	KeyLikeAppNamePlaceholder = "<app name shaped like a key>"
	// RefusedValuePlaceholder stands for a refused setting shaped like a
	// key (see looksLikeKey).
	RefusedValuePlaceholder = "<refused value shaped like a key>"
)

// guardURL registers with redact.Global() every part of a URL setting that
// may hold a key: its user and password, a path segment shaped like a
// key, each query value (and the whole query), its fragment, or the whole
// value when it is not an absolute URL.
// It runs before the value is checked, so that the configuration error
// that refuses it, and every output after it, shows placeholders only.
// redact.Global() is the one point every output passes through, so a
// value registered here reaches no report, log, cassette or message.
func guardURL(v string) {
	r := redact.Global()
	p, err := url.Parse(v)
	if err != nil || p.Scheme == "" || p.Host == "" || p.Opaque != "" {
		if !hostLike(v) {
			r.Add(v, NotAURLPlaceholder)
		}
		return
	}
	if p.User != nil {
		// A short user is a name ("admin", "winston"), and registering
		// it would blank that word in every output; a long one is a
		// token, as in https://TOKEN@host.
		if u := p.User.Username(); len(u) >= minTokenUser {
			r.Add(u, URLSecretPlaceholder)
		}
		if pw, ok := p.User.Password(); ok {
			r.Add(pw, URLSecretPlaceholder)
		}
	}
	// The path is refused (an origin has none), and shown: a segment that
	// looks like a key is not.
	for _, seg := range strings.Split(p.Path, "/") {
		if looksLikeKey(seg) {
			r.Add(seg, URLSecretPlaceholder)
		}
	}
	r.Add(p.RawQuery, URLSecretPlaceholder)
	if q, err := url.ParseQuery(p.RawQuery); err == nil {
		for _, values := range q {
			for _, value := range values {
				r.Add(value, URLSecretPlaceholder)
			}
		}
	}
	r.Add(p.Fragment, URLSecretPlaceholder)
	r.Add(p.RawFragment, URLSecretPlaceholder)
}

// minTokenUser is the shortest URL user taken for a token.
const minTokenUser = 12

// hostLike tells whether v, which is not an absolute URL, is a host name
// or host:port written without its scheme (api-qa.mrwinston.com): a
// typo to show as it is, not a key. A key has no dot, or labels a host
// cannot have.
func hostLike(v string) bool {
	host := strings.ToLower(strings.TrimSuffix(v, "/"))
	if h, port, found := strings.Cut(host, ":"); found {
		if !validPort(port) {
			return false
		}
		host = h
	}
	labels := strings.Split(host, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || strings.Trim(l, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
			return false
		}
	}
	return true
}

// keyShaped tells whether an app name looks like an API key rather than
// a name: 20 or more characters with at least four digits and four
// letters (a hex or base64 key, "sandbox-tenant-1-key-0001"). Names that
// people give integrations ("api_test", "acme_pos_integration_v2") are
// shorter or nearly digit-free. A false positive costs only the app
// name's display; a false negative would put a key into every report.
func keyShaped(s string) bool {
	return len(s) >= 20 && digitsAndLetters(s)
}

// digitsAndLetters is true when s has at least four digits and four
// letters.
func digitsAndLetters(s string) bool {
	digits, letters := 0, 0
	for _, c := range s {
		switch {
		case unicode.IsDigit(c):
			digits++
		case unicode.IsLetter(c):
			letters++
		}
	}
	return digits >= 4 && letters >= 4
}

// guardAppName registers an app name shaped like a key with
// redact.Global(): reports then show a placeholder instead of it.
func guardAppName(v string) {
	if keyShaped(strings.TrimSpace(v)) {
		redact.Global().Add(strings.TrimSpace(v), KeyLikeAppNamePlaceholder)
	}
}

// looksLikeKey tells whether a refused value may be a key pasted into the
// wrong place: shaped like a key as a whole (keyShaped) and not a path or
// host (no slash, backslash or dot), or holding a run of 16 or more
// letters and digits that mixes them as random text does (four or more
// changes between letter and digit: a base64 key with a slash in it). A
// path such as /etc/ssl/winston-2024-ca.pem, or a temporary directory
// named TestSomething3469518543, is neither.
func looksLikeKey(v string) bool {
	v = strings.TrimSpace(v)
	if len(v) < redact.MinSecretLen {
		return false
	}
	if bareKey(v) {
		return true
	}
	for _, run := range strings.FieldsFunc(v, func(r rune) bool { return !isASCIIAlnum(r) }) {
		if len(run) >= 16 && digitsAndLetters(run) && changes(run) >= 4 {
			return true
		}
	}
	return false
}

// bareKey tells whether v is shaped like a key as a whole (keyShaped)
// and is no path or host name (no slash, backslash or dot).
func bareKey(v string) bool {
	return keyShaped(v) && !strings.ContainsAny(v, `/\.`)
}

// guardRefused registers a refused value that looks like a key
// (looksLikeKey) with redact.Global(), before a configuration error
// names it: it is most likely a key pasted into the wrong place.
func guardRefused(v string) {
	if looksLikeKey(v) {
		redact.Global().Add(v, RefusedValuePlaceholder)
	}
}

// changes counts the places where s goes from a letter to a digit or back.
func changes(s string) int {
	n := 0
	for i := 1; i < len(s); i++ {
		if isDigit(s[i]) != isDigit(s[i-1]) {
			n++
		}
	}
	return n
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isASCIIAlnum(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
}
