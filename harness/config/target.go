package config

import (
	"net"
	"net/url"
	"strconv"
	"strings"
	"unicode"
)

func emptyURL() *url.URL { return &url.URL{} }

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic("config: bad built-in URL " + s)
	}
	return u
}

// loadURLs reads the https origin and the plain-http origin. The base URL is
// required outside replay; the http origin is derived where that is safe
// (default ports) and required, with a clear error, where it is not.
func (l *loader) loadURLs(c *Config) {
	v, src, ok := l.get(EnvBaseURL)
	baseOK := false
	switch {
	case ok:
		guardURL(v)
		u, problem, fix := parseOrigin(v, "https")
		if problem != "" {
			l.fail(EnvBaseURL, src, v, problem, fix)
		} else {
			c.BaseURL, baseOK = u, true
		}
	case c.IsReplay():
		c.BaseURL = mustURL(DefaultBaseURL)
	default:
		l.fail(EnvBaseURL, "", "", "is required in "+string(c.Mode)+" mode",
			"set WINSTON_BASE_URL to the https origin of the target, e.g. https://api-qa.mrwinston.com")
	}

	hv, hsrc, hok := l.get(EnvHTTPURL)
	switch {
	case hok:
		guardURL(hv)
		u, problem, fix := parseOrigin(hv, "http")
		if problem != "" {
			l.fail(EnvHTTPURL, hsrc, hv, problem, fix)
		} else {
			c.HTTPURL = u
		}
	case baseOK && defaultHTTPSPort(c.BaseURL):
		c.HTTPURL = &url.URL{Scheme: "http", Host: hostOnly(c.BaseURL)}
	case baseOK && !c.IsReplay():
		l.fail(EnvHTTPURL, "", "", "is required because WINSTON_BASE_URL uses the non-default port "+c.BaseURL.Port()+
			", so the plain-http origin cannot be guessed",
			"set WINSTON_HTTP_URL to the target's plain-http origin, e.g. http://"+c.BaseURL.Hostname()+":8080")
	case c.IsReplay():
		c.HTTPURL = mustURL(DefaultHTTPURL)
	}
}

// parseOrigin checks that v is an origin (scheme and host, nothing else)
// with the wanted scheme, and returns it normalised.
func parseOrigin(v, scheme string) (u *url.URL, problem, fix string) {
	example := "https://api-qa.mrwinston.com"
	if scheme == "http" {
		example = "http://api-qa.mrwinston.com"
	}
	p, err := url.Parse(v)
	if err != nil || p.Scheme == "" || p.Host == "" || p.Opaque != "" {
		return nil, "is not an absolute URL", "write it as an origin such as " + example
	}
	got := strings.ToLower(p.Scheme)
	switch {
	case got != scheme && scheme == "https" && got == "http":
		return nil, "uses http://: the suite sends requests with credentials over HTTPS only",
			"use the https:// origin, e.g. " + example + "; the plain-http redirect check reads WINSTON_HTTP_URL"
	case got != scheme:
		return nil, "uses the scheme " + got + "://, not " + scheme + "://", "write it as an origin such as " + example
	case p.User != nil:
		return nil, "carries user credentials, which would travel with every request and land in reports",
			"remove the user:password@ part; keys go in WINSTON_API_KEY"
	case p.Path != "" && p.Path != "/":
		return nil, "has the path " + p.Path + ": it must be an origin, as the catalogue's paths start with /api/v2/",
			"drop the path, e.g. " + example
	case p.RawQuery != "" || p.Fragment != "" || p.ForceQuery:
		return nil, "has a query or fragment", "drop everything after the host, e.g. " + example
	}
	if port := p.Port(); port != "" && !validPort(port) {
		return nil, "has the invalid port " + port, "use a port between 1 and 65535, or none"
	}
	return &url.URL{Scheme: scheme, Host: strings.ToLower(p.Host)}, "", ""
}

func validPort(p string) bool {
	n := 0
	for _, r := range p {
		if r < '0' || r > '9' {
			return false
		}
		n = n*10 + int(r-'0')
		if n > 65535 {
			return false
		}
	}
	return n >= 1
}

func defaultHTTPSPort(u *url.URL) bool { return u.Port() == "" || u.Port() == "443" }

// hostOnly is the host without its port, bracketed again if it is IPv6.
func hostOnly(u *url.URL) string {
	h := u.Hostname()
	if strings.Contains(h, ":") {
		return "[" + h + "]"
	}
	return h
}

// isLoopback reports whether host names this machine.
func isLoopback(host string) bool {
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// testWords are the host-name words that mark a test environment.
var testWords = []string{"qa", "test", "sandbox", "dev", "staging"}

// loadMutations decides whether checks that create data may run. An explicit
// WINSTON_ALLOW_MUTATIONS wins; otherwise replay allows them (nothing is
// sent), and so do hosts that are this machine or look like a test
// environment. Any other host may be production, where the suite must not
// create orders unless told to.
func (l *loader) loadMutations(c *Config) {
	if v, src, ok := l.get(EnvAllowMutations); ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			l.fail(EnvAllowMutations, src, v, "is not a boolean",
				"set WINSTON_ALLOW_MUTATIONS to true or false, or unset it to decide by host")
		} else {
			c.AllowMutations, c.AllowMutationsSet = b, true
			if b {
				c.MutationsReason = "mutations are allowed because WINSTON_ALLOW_MUTATIONS is true"
			} else {
				c.MutationsReason = "mutations are off because WINSTON_ALLOW_MUTATIONS is false"
			}
			return
		}
	}
	c.AllowMutations, c.MutationsReason = mutationPolicy(c)
}

func mutationPolicy(c *Config) (bool, string) {
	if c.IsReplay() {
		return true, "mutations are allowed in replay mode: answers come from cassettes and nothing reaches a server"
	}
	host := ""
	if c.BaseURL != nil {
		host = c.BaseURL.Hostname()
	}
	if host == "" {
		return false, "mutations are off because the target host is not known"
	}
	if isLoopback(host) {
		return true, "mutations are allowed because the target host " + host + " is this machine (loopback)"
	}
	if label, word := testLabel(host); word != "" {
		return true, "mutations are allowed because the target host " + host + " looks like a test environment (its label " +
			strconv.Quote(label) + ", left of the registrable domain, has the word " + strconv.Quote(word) + ")"
	}
	return false, "mutations are off because the target host " + host +
		" may be production (it is neither loopback nor named like a test environment: no label left of its registrable domain has a qa, test, sandbox, dev or staging word)"
}

// testLabel finds a label of host with a test word in it, among the labels
// left of the registrable domain only (see subdomainLabels): the domain an
// organisation registers, and the public suffix it sits under, say nothing
// about the environment, so "api.mrwinston.dev" or "pos.mrwinston.qa" is
// not a test host. A label is split into words at hyphens, underscores and
// digits ("api-qa", "qa2", "dev-eu"), and a word must equal a test word: a
// substring would let "latest", "contest" or "devices" mark a production
// host as a test one.
func testLabel(host string) (label, word string) {
	for _, lab := range subdomainLabels(host) {
		words := strings.FieldsFunc(lab, func(r rune) bool { return !unicode.IsLetter(r) })
		for _, w := range words {
			for _, t := range testWords {
				if w == t {
					return lab, t
				}
			}
		}
	}
	return "", ""
}

// secondLevels are the second-level labels that country-code registries
// sell names under (co.uk, com.au, or.jp, ...): under a two-letter top-level
// domain they belong to the public suffix, not to the organisation.
var secondLevels = map[string]bool{
	"ac": true, "co": true, "com": true, "edu": true, "gen": true, "go": true, "gob": true, "gov": true, "govt": true,
	"ltd": true, "mil": true, "ne": true, "net": true, "nhs": true, "nom": true, "or": true, "org": true, "plc": true, "sch": true,
}

// subdomainLabels are the labels of host left of its registrable domain,
// found by a small built-in rule instead of the full public suffix list:
// the last two labels are the registrable domain (mrwinston.com), or the
// last three when the top-level domain has two letters and the label before
// it is a known second level (mrwinston.co.uk). A host that is only a
// registrable domain, a single label or an IP address has none. The rule
// can miss a test label under an unusual suffix, which only means mutations
// stay off until WINSTON_ALLOW_MUTATIONS=true; it never takes the
// organisation's own name or a suffix for a test label.
func subdomainLabels(host string) []string {
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	if h == "" || net.ParseIP(h) != nil {
		return nil
	}
	labels := strings.Split(h, ".")
	keep := len(labels) - 2
	if n := len(labels); n >= 3 && len(labels[n-1]) == 2 && secondLevels[labels[n-2]] {
		keep = n - 3
	}
	if keep <= 0 {
		return nil
	}
	return labels[:keep]
}
