package suites

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL reads best unqualified

	"github.com/winston-conformance/winston-conformance/harness/catalogue"
	"github.com/winston-conformance/winston-conformance/harness/client"
	. "github.com/winston-conformance/winston-conformance/harness/conformance" //nolint:revive // the checks' vocabulary
	"github.com/winston-conformance/winston-conformance/harness/evidence"
	"github.com/winston-conformance/winston-conformance/harness/redact"
	"github.com/winston-conformance/winston-conformance/harness/report"
)

// redirectQuery marks the plain-HTTP probe, so that a target's logs tell it
// apart from other traffic (the redirect's query is not judged).
const redirectQuery = "conformance_probe=redirect"

func transportChecks() map[string]Check {
	handshake := NeedsNetwork("a TLS handshake")
	return map[string]Check{
		"TRANS-001": {Run: func(ctx SpecContext, t *T) {
			// httpPort asks once whether WINSTON_BASE_URL names a port
			// that answers plain HTTP: a redirect to the HTTPS port is
			// then on another port than the configured one, through
			// no fault of the target.
			httpPort := sync.OnceValue(func() bool {
				_, err := t.API.ProbeTLS(ctx, tls.VersionTLS12, tls.VersionTLS13)
				return report.IsHTTPPortError(err)
			})
			httpsAnswers := httpsAnswersNow(ctx, t)
			for _, ep := range t.Exercised() {
				resp := plainHTTP(ctx, t, ep)
				expected := "a redirect to https://" + t.TargetOrigin().Host + ep.Path + " and no data"
				if plainOnTLSPort(t, ep, expected, resp) || plainHTTPRefused(t, ep, expected, resp, httpsAnswers) {
					continue
				}
				problem := redirectProblem(t, ep.Path, resp)
				if problem != "" && onlyThePortDiffers(t, ep.Path, resp) && httpPort() {
					t.Record(evidence.Finding{Endpoint: ep.ID, Expected: expected, Observed: Summary(resp) + problem,
						Facts: map[string]string{HTTPPortFact: "WINSTON_BASE_URL (" + t.TargetOrigin().Host + ") answers plain HTTP, and the redirect goes to another port of the same host: " +
							"set WINSTON_BASE_URL to the HTTPS origin and port, and WINSTON_HTTP_URL to the plain-HTTP one"}})
					continue
				}
				if loc, _ := url.Parse(resp.Header.Get("Location")); problem != "" && onlyThePortDiffers(t, ep.Path, resp) && settingsDiffer(t, loc, httpsAnswers) {
					t.Record(evidence.Finding{Endpoint: ep.ID, Expected: expected, Observed: Summary(resp) + problem,
						Facts: map[string]string{URLMismatchFact: fmt.Sprintf("WINSTON_HTTP_URL (%s) redirects to https://%s, not to WINSTON_BASE_URL's https://%s: "+
							"if these are two servers, set WINSTON_BASE_URL to https://%s or WINSTON_HTTP_URL to the plain-HTTP origin of WINSTON_BASE_URL's server",
							t.Env().Config.HTTPURL.Host, loc.Host, t.TargetOrigin().Host, loc.Host)}})
					continue
				}
				t.Observe(ep.ID, problem == "", expected+problem, resp)
			}
		}},
		"TRANS-002": {Run: func(ctx SpecContext, t *T) {
			httpsAnswers := httpsAnswersNow(ctx, t)
			for _, ep := range t.Exercised() {
				resp := plainHTTP(ctx, t, ep)
				if plainOnTLSPort(t, ep, "307 or 308", resp) || plainHTTPRefused(t, ep, "307 or 308", resp, httpsAnswers) {
					continue
				}
				t.ExpectStatus(ep.ID, resp, 307, 308)
			}
		}},
		"TRANS-003": {Gates: []Gate{handshake}, Run: func(ctx SpecContext, t *T) {
			state, err := t.API.ProbeTLS(ctx, tls.VersionTLS12, tls.VersionTLS13)
			facts := map[string]string{}
			if err == nil {
				facts["tlsVersion"] = tls.VersionName(state.Version)
				facts["tlsCipher"] = tls.CipherSuiteName(state.CipherSuite)
			}
			if err != nil && report.CertificateRefused(err.Error()) {
				// The versions were offered and taken; the certificate
				// after them is TRANS-004's to judge.
				t.Record(evidence.Finding{Expected: "a TLS 1.2+ handshake succeeds", Observed: outcome(err), OK: true,
					Facts: map[string]string{NotJudgedFact: "the handshake failed on the certificate, which TRANS-004 judges, not on the TLS version"}})
			} else {
				t.Record(evidence.Finding{Expected: "a TLS 1.2+ handshake succeeds", Observed: outcome(err), OK: err == nil, Facts: facts})
			}
			_, err = t.API.ProbeLegacyTLS(ctx)
			t.Record(legacyTLSFinding(err, func() (client.LegacyHello, error) { return t.API.ProbeLegacyHello(ctx) }))
		}},
		"TRANS-004": {Gates: []Gate{handshake}, Run: func(ctx SpecContext, t *T) {
			state, err := t.API.ProbeTLS(ctx, tls.VersionTLS12, tls.VersionTLS13)
			f := evidence.Finding{Expected: "a certificate that verifies for the host and has not expired", Observed: outcome(err), OK: err == nil}
			var named x509.HostnameError
			if host := t.TargetOrigin().Hostname(); errors.As(err, &named) && net.ParseIP(host) != nil && named.Certificate != nil &&
				len(named.Certificate.IPAddresses) == 0 && len(named.Certificate.DNSNames) > 0 {
				// Named by an IP address, while the certificate names
				// hosts and no address at all: the setting, not the
				// certificate (one that lists other addresses is wrong).
				f.Facts = map[string]string{CertNameFact: "WINSTON_BASE_URL names the host by IP address " + host + "; the certificate is for " + strings.Join(named.Certificate.DNSNames, ", ") + ": use that name"}
			}
			if err == nil && len(state.PeerCertificates) > 0 {
				leaf := state.PeerCertificates[0]
				left := time.Until(leaf.NotAfter).Round(time.Hour)
				f.Facts = map[string]string{
					"certIssuer":  leaf.Issuer.String(),
					"certExpiry":  leaf.NotAfter.UTC().Format(time.RFC3339),
					"certSubject": leaf.Subject.String(),
				}
				f.Observed = fmt.Sprintf("verified; expires %s (in %s)", leaf.NotAfter.UTC().Format(time.RFC3339), left)
			}
			t.Record(f)
		}},
		"TRANS-005": {Run: checkHSTS},
	}
}

// checkHSTS reads Strict-Transport-Security on two HTTPS answers of each
// endpoint: the 200 to its example, and the 401 to the same request
// without credentials. "HTTPS answers" are all of them: a header set only
// on successes leaves a browser that first met an error unprotected.
func checkHSTS(ctx SpecContext, t *T) {
	for _, ep := range t.Exercised() {
		for _, probe := range []struct {
			what string
			opts []client.Option
		}{{"example", nil}, {"no credentials", []client.Option{client.WithAuth(client.AuthNone)}}} {
			resp := t.Post(ctx, ep, ep.Request, probe.opts...)
			where, expected := ep.ID+" ("+probe.what+")", "a Strict-Transport-Security header with max-age > 0"
			if resp.Err != nil || resp.Status == 429 || resp.Unavailable() {
				// No answer, throttled, or an outage's 5xx (a gateway's
				// page, not the API's): Observe records it as what it
				// is, and the header on it judges nothing.
				t.Observe(where, false, expected, resp)
				continue
			}
			hsts := resp.Header.Get("Strict-Transport-Security")
			t.Record(evidence.Finding{Endpoint: where, Expected: expected,
				Observed: Summary(resp) + "; Strict-Transport-Security: " + orNone(hsts), OK: hstsOK(hsts),
				Facts: map[string]string{"hsts": orNone(hsts)}})
		}
	}
}

// plainHTTP sends the probe to the plain-HTTP origin. It carries no
// credential: the client refuses to send one over http://.
func plainHTTP(ctx SpecContext, t *T, ep catalogue.Endpoint) *client.Response {
	q, _ := url.ParseQuery(redirectQuery)
	opts := []client.Option{client.WithPlainHTTP(), client.WithAuth(client.AuthNone), client.WithQuery(q)}
	if ep.Mutating {
		// A server that served this instead of redirecting could place
		// an order: it is sent as one, never twice.
		opts = append(opts, client.WithMutation())
	}
	return t.API.Post(ctx, ep.Path, map[string]any{}, opts...)
}

// settingsDiffer reports, for a redirect to loc, another port of the base
// URL's host, whether WINSTON_BASE_URL and WINSTON_HTTP_URL probably name
// different servers rather than the target redirecting wrong: the base
// URL's API does not answer (nothing of the target is there), or
// WINSTON_HTTP_URL was given with a port of its own and a
// server listens at loc (two servers side by side). Derived from the base
// URL on the default ports, or to a port where nothing listens, the
// redirect to another port is the target's.
func settingsDiffer(t *T, loc *url.URL, httpsAnswers func() bool) bool {
	if t.Env().Config.IsReplay() {
		return false
	}
	if !httpsAnswers() {
		return true
	}
	if port := t.Env().Config.HTTPURL.Port(); port == "" || port == "80" {
		return false
	}
	// A server at the Location's port is another HTTPS server beside the
	// configured one; nothing there is the target's wrong redirect.
	port := loc.Port()
	if port == "" {
		port = "443"
	}
	dialCtx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(dialCtx, "tcp", net.JoinHostPort(loc.Hostname(), port))
	if err != nil {
		return false
	}
	_ = conn.Close()
	return true
}

// httpsAnswersNow returns a function that asks, each time it is called,
// whether the target's HTTPS API answers now: an endpoint that reads gets
// its example request answered with a status below 500. A handshake alone
// is not enough (a target that resets every request, or answers only an
// outage's 503, completes one). Asked after each refusal, so that a target
// that went down whole meanwhile is never taken for one that serves HTTPS
// alone.
func httpsAnswersNow(ctx SpecContext, t *T) func() bool {
	return func() bool {
		if t.Env().Config.IsReplay() {
			return false
		}
		for _, ep := range t.Cat.Endpoints {
			if ep.Mutating || catalogue.CreatesData(ep.Path) {
				continue
			}
			resp := t.Post(ctx, ep, ep.Request, client.WithNote("control: does the HTTPS API answer? (to judge the plain-HTTP answer before it)"))
			return resp.Err == nil && resp.Status > 0 && resp.Status < 500
		}
		return false
	}
}

// plainHTTPRefused records, and reports, a plain-HTTP probe refused at
// connection (nothing listens there) by a host whose HTTPS API answers
// (httpsAnswersNow): plain HTTP is not served, so not redirected, and no
// waiting changes that. On the default port 80 it is a violation, not an
// outage; on a port WINSTON_HTTP_URL names, a configuration error (a typo
// there is likelier). A probe that timed out is still an outage (a
// firewall that drops the port cannot be told from a network that does).
func plainHTTPRefused(t *T, ep catalogue.Endpoint, expected string, resp *client.Response, httpsAnswers func() bool) bool {
	if resp.Err == nil || !errors.Is(resp.Err, syscall.ECONNREFUSED) || !httpsAnswers() {
		return false
	}
	origin := t.Env().Config.HTTPURL
	observed := "nothing listens for plain HTTP at " + origin.Host + " (connection refused), while https://" + t.TargetOrigin().Host +
		" answers: plain HTTP is not served, so it is not redirected"
	facts := map[string]string{report.RefusedConnectionFact: origin.Host}
	if port := origin.Port(); port != "" && port != "80" {
		// A port the user named: a typo there is likelier than a target
		// with no plain HTTP at all.
		facts[HTTPURLClosedFact] = "WINSTON_HTTP_URL names port " + port + ", where nothing listens: set it to the target's plain-HTTP origin, or unset it to derive port 80"
	}
	t.Record(evidence.Finding{Endpoint: ep.ID, Expected: expected, Observed: observed, Facts: facts})
	return true
}

// redirectStatuses are the 3xx statuses that send a client to Location.
// The others of the class are not redirects a client follows: 300 offers
// choices, 304 answers a conditional GET, 305 and 306 are obsolete.
// TRANS-002 narrows these to 307 and 308 for a POST.
var redirectStatuses = []int{301, 302, 303, 307, 308}

// redirectProblem explains what is wrong with a plain-HTTP answer, or "".
func redirectProblem(t *T, path string, resp *client.Response) string {
	if resp.Err != nil {
		// No answer is no redirect: the report calls it unavailable
		// when nothing answered at all, never a pass.
		return " (no answer over plain HTTP)"
	}
	if !slices.Contains(redirectStatuses, resp.Status) {
		return fmt.Sprintf(" (got %d, not a redirect: 301, 302, 303, 307 or 308)", resp.Status)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.Header.Get("Location") == "" {
		return " (no usable Location header)"
	}
	want := t.TargetOrigin()
	var bad []string
	if loc.Scheme != "https" {
		bad = append(bad, "scheme "+loc.Scheme)
	}
	if !sameAuthority(loc, want) {
		bad = append(bad, "host "+loc.Host)
	}
	if loc.Path != path {
		bad = append(bad, "path "+loc.Path)
	}
	problem := ""
	if len(bad) > 0 {
		problem = " (Location " + resp.Header.Get("Location") + " has " + strings.Join(bad, ", ") + ")"
	}
	if carriesAPIData(resp.Body) {
		problem += fmt.Sprintf(" (the redirect's body carries API data: %d bytes of JSON starting %s)", len(resp.Body), evidence.Excerpt(redact.Global().Bytes(resp.Body), 80)) // redacted before it is cut: a cut through a key would leave a part no redactor knows
	}
	return problem
}

// plainOnTLSPort records, and reports, a plain-HTTP probe that reached a
// port speaking TLS (WINSTON_HTTP_URL on the HTTPS port): a setup error,
// not an answer about the redirect.
func plainOnTLSPort(t *T, ep catalogue.Endpoint, expected string, resp *client.Response) bool {
	if resp.Err != nil || !report.PlainRequestToTLSPort(resp.Status, resp.Body) {
		return false
	}
	t.Record(evidence.Finding{Endpoint: ep.ID, Expected: expected, Observed: Summary(resp) + ": a TLS server's answer to a plain request",
		Facts: map[string]string{HTTPURLOnTLSFact: "WINSTON_HTTP_URL names a port that speaks TLS: set it to the plain-HTTP origin (port 80)"}})
	return true
}

// onlyThePortDiffers reports whether a plain-HTTP answer is a redirect
// that would be right but for its port: to https, the configured host and
// path, no API data, and a port other than the configured origin's.
func onlyThePortDiffers(t *T, path string, resp *client.Response) bool {
	if resp.Err != nil || !slices.Contains(redirectStatuses, resp.Status) || carriesAPIData(resp.Body) {
		return false
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	want := t.TargetOrigin()
	return err == nil && loc.Scheme == "https" && loc.Path == path &&
		strings.EqualFold(loc.Hostname(), want.Hostname()) && !sameAuthority(loc, want)
}

// sameAuthority reports whether a Location names the host and port of the
// target, with the scheme's default port written or not
// ("https://h:443/" is "https://h/") and the host in any case.
func sameAuthority(loc, want *url.URL) bool {
	port := func(u *url.URL) string {
		if p := u.Port(); p != "" {
			return p
		}
		if strings.EqualFold(u.Scheme, "http") {
			return "80"
		}
		return "443"
	}
	return strings.EqualFold(loc.Hostname(), want.Hostname()) && port(loc) == port(want)
}

// carriesAPIData reports whether a redirect's body holds API data: a JSON
// array, the v1 envelope's "data" member, or an object with an "_id" (a
// Winston resource) at any depth. An empty body, a text or HTML note, or
// an error document such as {"statusCode": 301, "message": "use https",
// "path": "/api/v2/bills", "timestamp": "..."} from the web server or a
// proxy in front of it carries none. A redirect has no reason to carry
// the API's JSON: whatever travels in clear text could be read or changed
// on the way.
func carriesAPIData(body []byte) bool {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return false
	}
	switch v := v.(type) {
	case []any:
		return true
	case map[string]any:
		if _, has := v["data"]; has {
			return true
		}
	}
	return hasID(v)
}

// hasID reports whether an object with an "_id" member is anywhere in v.
func hasID(v any) bool {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			if hasID(e) {
				return true
			}
		}
	case map[string]any:
		if _, has := x["_id"]; has {
			return true
		}
		for _, e := range x {
			if hasID(e) {
				return true
			}
		}
	}
	return false
}

// legacyTLSFinding judges the TLS 1.0/1.1 probe, which offers every cipher
// suite Go has. A protocol_version alert is the refusal of the version. A
// handshake_failure alert (which some servers and load balancers send to
// refuse an old version, and which a server that allows one with a suite
// Go lacks sends too) is judged by hello, a TLS 1.1 ClientHello written by
// hand that offers every classic suite: a ServerHello for TLS 1.0 or 1.1 is
// the old version allowed; an alert, its refusal. Any other error (a
// certificate that does not verify, a hang-up) leaves it unknown whether
// the old versions are allowed, which is reported as the problem it is,
// never as a pass.
func legacyTLSFinding(err error, hello func() (client.LegacyHello, error)) evidence.Finding {
	f := evidence.Finding{Expected: "a TLS 1.0/1.1 handshake is refused, whatever cipher suite it offers", Observed: outcome(err)}
	switch {
	case err == nil:
		f.Observed += " (TLS 1.0/1.1 is allowed)"
	case client.VersionRefused(err):
		f.OK = true
	case errors.Is(err, client.ErrUnreachable):
		f.Observed += " (no TLS server answered, so whether TLS 1.0/1.1 is allowed is unknown: an outage, run again when the target is up)"
	case client.HandshakeFailure(err):
		h, herr := hello()
		switch {
		case herr == nil && h.Accepted():
			f.Observed += fmt.Sprintf(" (a handshake_failure for Go's suites, but a TLS 1.1 hello offering every classic suite got a ServerHello for %s with suite 0x%04X, one Go lacks: TLS 1.0/1.1 is allowed)",
				tls.VersionName(h.Version), h.Suite)
		case herr == nil && h.Alert != 0:
			f.OK = true
			f.Observed += fmt.Sprintf(" (a handshake_failure, not a protocol_version alert; a TLS 1.1 hello offering every classic suite, DHE and Camellia included, was refused too, with alert %d)", h.Alert)
		case herr != nil:
			f.Observed += " (a handshake_failure, not a protocol_version alert; whether it refused the version is unknown, as a TLS 1.1 hello offering every classic suite got no answer either: " +
				herr.Error() + "; fix what that error names and run again, or confirm by hand that " + legacyTLSManualCheck + " both fail, and attach that to the report)"
		default:
			f.Observed += fmt.Sprintf(" (a handshake_failure, not a protocol_version alert; a TLS 1.1 hello offering every classic suite got a ServerHello for version 0x%04X, which it did not offer, so whether TLS 1.0/1.1 is allowed is unknown: confirm by hand that %s both fail)",
				h.Version, legacyTLSManualCheck)
		}
	default:
		// A hang-up, a certificate that does not verify: say how to tell
		// a refusal from a failure rather than guess.
		f.Observed += " (not a refusal of the version, so whether TLS 1.0/1.1 is allowed is unknown: fix what the error names and run again;" +
			" if the server refuses old versions this way, confirm by hand that " + legacyTLSManualCheck + " both fail, and attach that to the report)"
	}
	return f
}

// legacyTLSManualCheck is how an integrator confirms by hand that TLS 1.0
// and 1.1 are refused, with any cipher suite OpenSSL has.
const legacyTLSManualCheck = "'openssl s_client -connect HOST:443 -tls1 -cipher ALL@SECLEVEL=0' and the same with -tls1_1"

func outcome(err error) string {
	if err != nil {
		return evidence.HandshakeFailedPrefix + err.Error()
	}
	return "handshake succeeded"
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func hstsOK(v string) bool {
	for _, part := range strings.Split(v, ";") {
		if age, ok := strings.CutPrefix(strings.TrimSpace(strings.ToLower(part)), "max-age="); ok {
			// RFC 6797: delta-seconds, which may be quoted.
			n, err := strconv.ParseUint(strings.Trim(age, `"`), 10, 64)
			return err == nil && n > 0
		}
	}
	return false
}
