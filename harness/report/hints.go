package report

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/winston-conformance/winston-conformance/harness/catalogue"
	"github.com/winston-conformance/winston-conformance/harness/evidence"
)

// A requirement is classified from its failing findings, not from every
// exchange it made: a check that sent eight requests and failed on the one
// that timed out failed for want of an answer, and a check whose requests
// all died in the TLS handshake says nothing about the contract. Where a
// failure has a likely cause in the run's setup, a hint names it and the
// setting that fixes it, both in the requirement's reason and, once, in the
// run's problems.

const (
	// unreachableMark starts the error of a TLS probe that never met a
	// TLS server: refused, not found, timed out, or hung up on before the
	// server hello (client.ErrUnreachable). A probe makes no exchange to
	// be marked unavailable, so its error text carries the mark.
	unreachableMark = "target unreachable: "
)

// ThrottledFact is the key of a finding's Facts that marks an answer the
// target rate-limited (429) after the client's retries, in a check that
// does not judge rate limits: the check records it as not judged. A
// requirement that failed only for want of such answers is classified as
// environment unavailable (throttled), never as a contract violation.
const ThrottledFact = "throttled"

// UnavailableFact is the key of a finding's Facts that marks an answer
// that tells nothing of the contract (a 502, 503 or 504 after the
// client's retries): the check records it as not judged, with the status.
// A requirement that failed only for want of such answers (and 429s) is
// classified as environment unavailable, even where its other endpoints
// answered: one endpoint down is an outage of that endpoint, not a
// broken contract.
const UnavailableFact = "unavailable"

// NotJudgedFact is the key of a finding's Facts that says why the check
// recorded an answer without judging it (conformance.NotJudgedFact). A
// passed requirement with such findings is shown as partly not judged,
// with each endpoint and why, so it never reads as a plain pass.
const NotJudgedFact = "notJudged"

// InsufficientDataFact is the key of a failing finding's Facts that says
// the check could not judge a rule on the answers it got because they held
// too few items (say, 40 bills where a page size of 100 needs 101), and what
// it needed. Such a finding fails the requirement, which never passes on
// too little data, but it is no contract violation: the target's data (or
// the catalogue's queries) must change. The requirement is a configuration
// error with the thin-data hint, unless another finding is a violation.
const InsufficientDataFact = "insufficientData"

// GuessedPathFact is the key of a failing finding's Facts that says the
// target answered 404 at an endpoint whose path the catalogue only guessed
// (source inferred or unknown): the check could not judge it, and the
// catalogue, not the target, must change. The requirement is a
// configuration error with the guessed-path hint, unless another finding
// is a violation.
const GuessedPathFact = "guessedPath"

// UnreadableFieldFact is the key of a failing finding's Facts that says
// no item of an answer carried, in a form the check reads, a field whose
// name or format the contract leaves to inference (a bill's businessDay,
// its modifiedAt): the requirement is a configuration error with that
// hint, unless another finding is a violation.
const UnreadableFieldFact = "unreadableField"

// HTTPPortFact is the key of a failing finding's Facts that says the
// finding came of WINSTON_BASE_URL naming a port that answers plain HTTP
// (a TLS handshake there met an HTTP answer): TRANS-001 then finds the
// redirect's Location on another port than the configured origin's, which
// says nothing about the target. The requirement is a configuration error
// with the HTTP-port hint, unless another finding is a violation.
const HTTPPortFact = "httpPort"

// HTTPURLOnTLSFact is the key of a failing finding's Facts that says the
// plain-HTTP probe reached a port that speaks TLS (its 400 says a plain
// request came to an HTTPS port): WINSTON_HTTP_URL names the HTTPS port,
// which says nothing of the redirect. The requirement is a configuration
// error with that hint, unless another finding is a violation.
const HTTPURLOnTLSFact = "httpUrlOnTls"

// HTTPURLClosedFact is the key of a failing finding's Facts that says
// nothing listens at the port WINSTON_HTTP_URL names (connection refused)
// while the HTTPS API answers: a mistyped port is likelier than a target
// with no plain HTTP, which a run on the default port 80 judges. The
// requirement is a configuration error with that hint, unless another
// finding is a violation.
const HTTPURLClosedFact = "httpUrlClosed"

// URLMismatchFact is the key of a failing finding's Facts that says the
// plain-HTTP origin redirected to the base URL's host on another port,
// where WINSTON_BASE_URL's own port does not answer TLS, or where
// WINSTON_HTTP_URL was given with a port of its own: the two settings most
// likely name different servers. The requirement is a configuration error
// with that hint, unless another finding is a violation.
const URLMismatchFact = "urlMismatch"

// PlainRequestToTLSPort reports whether a plain-HTTP answer is a TLS
// server's refusal of a plain request (Go's, nginx's and Apache's words).
func PlainRequestToTLSPort(status int, body []byte) bool {
	if status != 400 {
		return false
	}
	b := strings.ToLower(string(body))
	for _, m := range []string{"http request to an https server", "plain http request was sent to https port", "speaking plain http to an ssl-enabled server"} {
		if strings.Contains(b, m) {
			return true
		}
	}
	return false
}

// CertificateRefused reports whether an error text is the client's
// refusal of the server's certificate for its name, dates or validity.
func CertificateRefused(errText string) bool {
	for _, m := range []string{"x509: certificate is valid for", "x509: cannot validate certificate for", "x509: certificate has expired or is not yet valid",
		"x509: certificate is not valid for any names", "tls: failed to verify certificate"} {
		if strings.Contains(errText, m) {
			return true
		}
	}
	return false
}

// CertNameFact is the key of a failing finding's Facts that says the
// certificate did not verify because WINSTON_BASE_URL names the host by an
// IP address the certificate does not list: the setting's mistake, not
// the certificate's.
const CertNameFact = "certName"

// MaxBodyFact is the key of a failing finding's Facts that says an answer
// was longer than WINSTON_MAX_BODY, the most of a body the suite reads:
// not read, so not judged; the limit is the run's setting.
const MaxBodyFact = "maxBody"

// SecondKeyRefusedFact is the key of a failing finding's Facts that says
// the target refused the second tenant's key (401 or 403) while it took
// the first's: WINSTON_API_KEY_2 is probably wrong or rotated, which says
// nothing of tenant isolation. The requirement is a configuration error
// with that hint, unless another finding is a violation.
const SecondKeyRefusedFact = "secondKeyRefused"

// IsHTTPPortError reports whether err is what a TLS client gets from a
// port that answers plain HTTP.
func IsHTTPPortError(err error) bool {
	if err == nil {
		return false
	}
	h := hintFor(err.Error())
	return h != nil && h.id == hintHTTPPort.id
}

// ThinData is true when r failed with a finding that says its answers held
// too few items to judge it (InsufficientDataFact).
func ThinData(r *Requirement) bool {
	for _, f := range r.Evidence.Findings {
		if !f.OK && f.Facts[InsufficientDataFact] != "" {
			return true
		}
	}
	return false
}

// skippedFact is the key of a finding's Facts that says why a check left
// an endpoint out.
const skippedFact = "skipped"

// timeoutHint says what to change when every unanswered request of the
// unavailable checks ran out of the client's own time.
const timeoutHint = "every request left unanswered timed out on the client's side (WINSTON_TIMEOUT, the time each request may take): " +
	"the environment may be slow rather than down; if it answers slower than that, raise WINSTON_TIMEOUT (say 60s) and run again"

// timedOutOnly returns the unavailable requirements when every exchange
// of theirs without an answer timed out on the client's side (and there
// is one), else nil.
func timedOutOnly(doc *Document) []string {
	var ids []string
	timeouts := 0
	for _, r := range doc.Requirements {
		if r.Status != StatusFailed || r.Classification != ClassEnvironmentUnavailable {
			continue
		}
		mine := 0
		for _, ex := range r.Evidence.Exchanges {
			if ex.Status != 0 || ex.Error == "" || strings.HasPrefix(ex.Error, "not sent") {
				continue
			}
			if !timedOutText(ex.Error) {
				return nil
			}
			mine++
		}
		if mine > 0 {
			// Only a requirement whose own requests timed out: one
			// that met 503s or 429s was not kept waiting.
			ids = append(ids, r.ID)
			timeouts += mine
		}
	}
	if timeouts == 0 {
		return nil
	}
	return ids
}

// timedOutText is true for the error texts of a request that ran out of
// the client's time.
func timedOutText(err string) bool {
	for _, m := range []string{"context deadline exceeded", "Client.Timeout exceeded", "i/o timeout", "timeout awaiting response headers", "TLS handshake timeout"} {
		if strings.Contains(err, m) {
			return true
		}
	}
	return false
}

// throttleHint says what to change when the target throttled the run.
const throttleHint = "the target throttled the run (429 Too Many Requests after the client's retries), so some checks judged nothing: " +
	ThrottleFix + " and run again"

// throttleBadCredentialsHint says what to do when the target throttled
// only requests with wrong or missing credentials.
const throttleBadCredentialsHint = "the target answered 429 Too Many Requests only to requests with wrong or missing credentials, as protection against guessing keys does, " +
	"so the checks that send such requests on purpose judged nothing; a lower WINSTON_MAX_RPS helps only if that protection counts per second: " +
	"run the auth family alone (make conformance FOCUS=auth) with WINSTON_MAX_RPS=1 and WINSTON_CONCURRENCY=1, or ask Winston how many refused requests it allows"

// throttledBadCredentialsOnly is true when the run got 429s, and every
// one answered a request without the configured key.
func throttledBadCredentialsOnly(doc *Document) bool {
	seen := false
	for _, r := range doc.Requirements {
		for _, ex := range r.Evidence.Exchanges {
			if ex.Status != http.StatusTooManyRequests {
				continue
			}
			if ex.AuthShape == "valid" || ex.AuthShape == "second-tenant" {
				return false
			}
			seen = true
		}
	}
	return seen
}

// ThrottleFix is what to change when the target throttled a run, in every
// message that says so.
const ThrottleFix = "set WINSTON_MAX_RPS to a lower cap (0 means no cap at all) or lower WINSTON_CONCURRENCY (or raise WINSTON_RETRIES)"

// A setupHint is a likely setup mistake, recognised in a transport error.
type setupHint struct {
	// id names the hint in tests.
	id string
	// marks are texts of Go's errors that show the mistake.
	marks []string
	// text says what is wrong and what fixes it.
	text string
	// reason, when set, is what each requirement the hint explains says
	// instead of text, which the run's problems then give once.
	reason string
}

// requirementReason is what a requirement the hint explains says first.
func (h *setupHint) requirementReason() string {
	if h.reason != "" {
		return h.reason
	}
	return h.text
}

var (
	hintUnknownCA = setupHint{id: "unknown-ca", marks: []string{"certificate signed by unknown authority"},
		text: "the target's certificate is signed by a certificate authority the suite does not trust " +
			"(x509: certificate signed by unknown authority): if the environment uses a private or internal CA, " +
			"set WINSTON_CA_FILE to that CA's PEM file (TLS verification is never switched off)"}
	hintHTTPPort = setupHint{id: "http-port", marks: []string{"server gave HTTP response to HTTPS client", "first record does not look like a TLS handshake"},
		text: "WINSTON_BASE_URL answers in plain HTTP, not TLS (HTTP response to HTTPS client): it probably names the HTTP port; " +
			"set it to the HTTPS origin and port, and the plain-HTTP origin in WINSTON_HTTP_URL"}
	// hintHTTPURLOnTLS has no marks: TRANS-001/002 say so themselves,
	// through HTTPURLOnTLSFact.
	hintHTTPURLOnTLS = setupHint{id: "http-url-on-tls",
		reason: "not judged: WINSTON_HTTP_URL names a port that speaks TLS (the plain-HTTP probe got a TLS server's 400)",
		text: "WINSTON_HTTP_URL names a port that speaks TLS: the plain-HTTP probe got the 400 a TLS server gives a plain request, which says nothing of the redirect; " +
			"set WINSTON_HTTP_URL to the environment's plain-HTTP origin (http://<host>, port 80), or unset it to derive it from WINSTON_BASE_URL"}
	// hintHTTPURLClosed has no marks: TRANS-001/002 say so themselves,
	// through HTTPURLClosedFact.
	hintHTTPURLClosed = setupHint{id: "http-url-closed",
		reason: "not judged: nothing listens at the port WINSTON_HTTP_URL names",
		text: "nothing listens at the port WINSTON_HTTP_URL names (connection refused) while the HTTPS API answers: " +
			"set it to the target's plain-HTTP origin, or unset it to derive http://<host> (port 80) from WINSTON_BASE_URL, where a refused connection is TRANS-001's violation"}
	// hintURLMismatch has no marks: TRANS-001 says so itself, through
	// URLMismatchFact.
	hintURLMismatch = setupHint{id: "url-mismatch",
		reason: "not judged: WINSTON_HTTP_URL redirects to another port of the host than WINSTON_BASE_URL names",
		text: "WINSTON_HTTP_URL's server redirects to an HTTPS port of the host other than the one WINSTON_BASE_URL names: " +
			"the two settings probably name different servers; point both at the same environment (the redirect's Location names the HTTPS origin it expects)"}
	// hintCertName has no marks: TRANS-004 says so itself, through
	// CertNameFact, and causeOf gives it to the requests that got no
	// answer for it.
	hintCertName = setupHint{id: "cert-name",
		reason: "not judged: WINSTON_BASE_URL names the host by an IP address its certificate does not list",
		text:   "WINSTON_BASE_URL names the host by an IP address, and its certificate is issued for a name: set WINSTON_BASE_URL to the host name the certificate names, and run again"}
	// hintMaxBody has no marks: a check says so itself, through
	// MaxBodyFact.
	hintMaxBody = setupHint{id: "max-body",
		reason: "not judged: an answer was longer than WINSTON_MAX_BODY, the most the suite reads",
		text: "answers were longer than WINSTON_MAX_BODY (16 MiB unless set), the most of a body the suite reads, so they were not read and judged nothing: " +
			"if your tenant's lists are that large, raise WINSTON_MAX_BODY (say 64MiB) and run again; an answer without end is no API's, and a raised limit will show it again"}
	// hintSecondKey has no marks: AUTH-009 says so itself, through
	// SecondKeyRefusedFact.
	hintSecondKey = setupHint{id: "second-key",
		reason: "not judged: the target refused WINSTON_API_KEY_2 while it took WINSTON_API_KEY",
		text: "the target refused the second tenant's key (401 or 403) while it took the first's: WINSTON_API_KEY_2 is probably wrong or rotated; " +
			"copy it again from the second tenant's 'API development' integration (or unset it to skip the isolation check), and run again"}
	hintUnknownHost = setupHint{id: "unknown-host", marks: []string{": no such host"},
		text: "the target's host name does not exist (DNS: no such host): check the spelling of WINSTON_BASE_URL (and WINSTON_HTTP_URL); " +
			"the test environment's host is not public, so ask Winston for it if in doubt"}
	// hintThinData has no marks: a check says so itself, through
	// InsufficientDataFact.
	hintThinData = setupHint{id: "thin-data",
		reason: "not judged: too few items (thin data, or a target that drops items; the run's problems say what to change)",
		text: "the answers held too few items to judge these checks, or changed between two requests (each failure says what it needed and got): either the target's data is too thin for the catalogue's queries, " +
			"or the target drops items (the failures' exchanges show what came); point the catalogue's queries and fixtures at data with enough items " +
			"(a catalogue of your own in WINSTON_CATALOGUE: large queries, fixtures.businessDay, fixtures.modifiedSince), or add data to the environment, and run again"}
	// hintGuessedPath has no marks: a check says so itself, through
	// GuessedPathFact.
	hintGuessedPath = setupHint{id: "guessed-path",
		reason: "not judged: the target has no route at an endpoint path the catalogue only guessed (404)",
		text: "the target answered 404 at endpoint paths the catalogue only guessed (source inferred or unknown, such as products): " +
			"set each such endpoint's path for your environment in a catalogue of your own (a copy of harness/catalogue/catalogue.yaml in WINSTON_CATALOGUE), " +
			"or remove the endpoint, and run again"}
	// hintUnreadableField has no marks: a check says so itself, through
	// UnreadableFieldFact.
	hintUnreadableField = setupHint{id: "unreadable-field",
		reason: "not judged: the answers do not carry a field the check reads, in the form or place it reads it (the field is only inferred)",
		text: "the answers carried no field the check reads, in the form or place it reads it: " +
			"the field is inferred, not documented; each failure names the field, where and in what form it was looked for, and what came, so if Winston writes it otherwise, tell the suite's maintainers, and run again"}
	setupHints = []setupHint{hintUnknownCA, hintHTTPPort, hintHTTPURLOnTLS, hintSecondKey, hintCertName, hintMaxBody, hintUnknownHost, hintThinData, hintGuessedPath, hintUnreadableField}
)

// failureCause is what one failing finding failed on.
type failureCause int

const (
	// causeAnswer: the target answered, and the answer broke the contract.
	causeAnswer failureCause = iota
	// causeUnavailable: no answer, for a reason that is an outage (dial
	// error, reset, timeout: the exchange is marked unavailable).
	causeUnavailable
	// causeSetup: no answer, for a reason a setupHint explains.
	causeSetup
)

// failingFindings are the findings that made a requirement fail.
func failingFindings(req *Requirement) []evidence.Finding {
	var out []evidence.Finding
	for _, f := range req.Evidence.Findings {
		if !f.OK && (f.Expected != "" || f.Observed != "") {
			out = append(out, f)
		}
	}
	return out
}

// causeOf classifies one failing finding, with the hint that explains it
// when the cause is the setup. A finding that got no answer is tied to its
// exchange by the error text the client put into both.
// certVerdict is what TRANS-004 found of the certificate in a run.
type certVerdict int

const (
	// certUnjudged: TRANS-004 passed or did not run.
	certUnjudged certVerdict = iota
	// certTarget: the certificate does not verify, the target's fault
	// (expired, or for another host).
	certTarget
	// certSetting: WINSTON_BASE_URL names the host by an address the
	// certificate, which lists names only, cannot match.
	certSetting
)

// certificateFailed is what TRANS-004, the check of the certificate, found
// in the run.
func certificateFailed(reqs []Requirement) certVerdict {
	for _, r := range reqs {
		if r.ID != "TRANS-004" {
			continue
		}
		for _, f := range r.Evidence.Findings {
			switch {
			case f.OK:
			case f.Facts[CertNameFact] != "":
				return certSetting
			case CertificateRefused(f.Observed):
				return certTarget
			}
		}
	}
	return certUnjudged
}

// factHints are the facts a check records when the setup, not the
// target, kept a finding from being judged, each with its hint.
var factHints = []struct {
	fact string
	hint *setupHint
}{
	{InsufficientDataFact, &hintThinData},
	{GuessedPathFact, &hintGuessedPath},
	{UnreadableFieldFact, &hintUnreadableField},
	{HTTPPortFact, &hintHTTPPort},
	{HTTPURLOnTLSFact, &hintHTTPURLOnTLS},
	{URLMismatchFact, &hintURLMismatch},
	{HTTPURLClosedFact, &hintHTTPURLClosed},
	{SecondKeyRefusedFact, &hintSecondKey},
	{CertNameFact, &hintCertName},
	{MaxBodyFact, &hintMaxBody},
}

func causeOf(f evidence.Finding, req *Requirement) (failureCause, *setupHint) {
	exchanges := req.Evidence.Exchanges
	for _, fh := range factHints {
		if f.Facts[fh.fact] != "" {
			return causeSetup, fh.hint
		}
	}
	errText, ok := strings.CutPrefix(f.Observed, evidence.NoAnswerPrefix)
	if ok && CertificateRefused(errText) && !strings.Contains(errText, "unknown authority") {
		// A request that never reached the API because its certificate
		// did not verify judges nothing where TRANS-004, which judged
		// the certificate in this run, failed it: the environment could
		// not be used (its certificate's fault) or the setting named the
		// host wrong. Where TRANS-004 passed or did not run, a refused
		// certificate is the target's answer (a stale backend).
		switch req.certJudged {
		case certTarget:
			return causeUnavailable, nil
		case certSetting:
			return causeSetup, &hintCertName
		}
	}
	if !ok {
		if errText, ok = strings.CutPrefix(f.Observed, evidence.HandshakeFailedPrefix); !ok {
			return causeAnswer, nil
		}
		if strings.HasPrefix(errText, unreachableMark) {
			return causeUnavailable, nil
		}
	}
	if h := hintFor(errText); h != nil {
		return causeSetup, h
	}
	for _, ex := range exchanges {
		if ex.Error != "" && ex.Status == 0 && ex.Unavailable && strings.HasPrefix(errText, ex.Error) {
			return causeUnavailable, nil
		}
	}
	return causeAnswer, nil
}

// wasThrottled is true when a finding of req is a 429 it did not judge.
func wasThrottled(req *Requirement) bool {
	for _, f := range req.Evidence.Findings {
		if f.Facts[ThrottledFact] != "" {
			return true
		}
	}
	return false
}

// wasUnserved is true when a finding of req is a 429 or an outage answer
// (502, 503, 504) it did not judge.
func wasUnserved(req *Requirement) bool {
	for _, f := range req.Evidence.Findings {
		if f.Facts[ThrottledFact] != "" || f.Facts[UnavailableFact] != "" {
			return true
		}
	}
	return false
}

func hintFor(errText string) *setupHint {
	for i := range setupHints {
		for _, m := range setupHints[i].marks {
			if strings.Contains(errText, m) {
				return &setupHints[i]
			}
		}
	}
	return nil
}

// classifyFindings says how the failing findings of req failed: setup when
// every one got no answer and at least one for a reason a hint explains
// (the others being outages), unavailable when every one got no answer
// for an outage, otherwise answer. A requirement with no failing finding
// that was throttled (429s it could not judge) is unavailable: the
// environment, not the contract, kept it from passing. hint is the first
// setup hint found.
func classifyFindings(req *Requirement) (failureCause, *setupHint) {
	failing := failingFindings(req)
	if len(failing) == 0 {
		if wasUnserved(req) {
			return causeUnavailable, nil
		}
		return causeAnswer, nil
	}
	var hint *setupHint
	for _, f := range failing {
		cause, h := causeOf(f, req)
		switch cause {
		case causeAnswer:
			return causeAnswer, nil
		case causeSetup:
			if hint == nil {
				hint = h
			}
		}
	}
	if hint != nil {
		return causeSetup, hint
	}
	return causeUnavailable, nil
}

// addRunHints puts each setup hint that explains failures into the run's
// problems, once, with the requirements it explains; and, when every
// request sent with the configured key got 401, says the key or app name
// is probably wrong, on the run and on each failure with a 401.
func addRunHints(doc *Document, all []evidence.Exchange) {
	explained := map[string][]string{}
	for _, req := range doc.Requirements {
		// A hint explains only a failure classified as the setup's: a
		// violation beside a setup-shaped finding is still the target's.
		if req.Status != StatusFailed || req.Classification != ClassConfigurationError {
			continue
		}
		for _, f := range failingFindings(&req) {
			if _, h := causeOf(f, &req); h != nil {
				if ids := explained[h.id]; len(ids) == 0 || ids[len(ids)-1] != req.ID {
					explained[h.id] = append(ids, req.ID)
				}
			}
		}
	}
	var throttled []string
	for _, req := range doc.Requirements {
		if req.Status == StatusFailed && len(failingFindings(&req)) == 0 && wasThrottled(&req) {
			throttled = append(throttled, req.ID)
		}
	}
	if len(throttled) > 0 {
		hint := throttleHint
		if throttledBadCredentialsOnly(doc) {
			hint = throttleBadCredentialsHint
		}
		doc.Run.Problems = append(doc.Run.Problems, fmt.Sprintf("hint: %s (explains why %s were not judged)", hint, joinCapped(throttled, 8)))
	}
	if ids := timedOutOnly(doc); len(ids) > 0 {
		doc.Run.Problems = append(doc.Run.Problems, fmt.Sprintf("hint: %s (explains why %s were not judged)", timeoutHint, joinCapped(ids, 8)))
	}
	for _, h := range setupHints {
		if ids := explained[h.id]; len(ids) > 0 {
			doc.Run.Problems = append(doc.Run.Problems, fmt.Sprintf("hint: %s (explains the failures of %s)", h.text, joinCapped(ids, 8)))
		}
	}
	if hint := notTheAPIHint(doc.Target, all); hint != "" {
		var ids []string
		for i := range doc.Requirements {
			req := &doc.Requirements[i]
			switch {
			case !onlyNotFound(req):
			case req.Status == StatusFailed && req.Classification == ClassContractViolation:
				req.Classification, req.Advisory = ClassConfigurationError, false
				req.Reason = "configuration error: " + notTheAPIReason + ": " + req.Reason
				ids = append(ids, req.ID)
			case req.Status == StatusPassed:
				// A pass on 404s alone (an unknown route, an unknown
				// plan) says nothing when every path answers 404.
				req.Status, req.Classification = StatusFailed, ClassConfigurationError
				req.Reason = "configuration error: not judged: it passed on 404s alone, and every path answered 404; " + notTheAPIReason
				ids = append(ids, req.ID)
			}
		}
		doc.Run.Problems = append(doc.Run.Problems, fmt.Sprintf("hint: %s (explains %s)", hint, joinCapped(ids, 8)))
	}
	if hint := rejectedKeyHint(doc.Target, all); hint != "" {
		var ids []string
		for i := range doc.Requirements {
			req := &doc.Requirements[i]
			if req.Status != StatusFailed || !anyObservedStatus(req, 401) && !anyObservedStatus(req, 403) {
				continue
			}
			if req.Classification == ClassContractViolation && failedOnTheKeys401(req) {
				// Every request with the key was refused, and this
				// requirement failed on those refusals alone: a wrong
				// or rotated key is far likelier than an API that
				// refuses every valid key, and nothing else of the
				// contract was judged through it.
				req.Classification, req.Advisory = ClassConfigurationError, false
				req.Reason = "configuration error: " + rejectedKeyReason + ": " + req.Reason
			} else if failedOnStatus(req) {
				// A failure of what status came back may be the key's
				// doing; one of what a refusal said (a key echoed in
				// its body) is not, and reads as it is.
				req.Reason = rejectedKeyReason + ": " + req.Reason
			} else {
				continue
			}
			ids = append(ids, req.ID)
		}
		for i := range doc.Requirements {
			req := &doc.Requirements[i]
			if req.Status == StatusPassed && passedOnTheKeys401(req) {
				// Its pass rests on 401s to a key the target refuses
				// everywhere: they say nothing of the rule it checks.
				req.Status, req.Classification = StatusFailed, ClassConfigurationError
				req.Reason = "configuration error: not judged: it passed on 401s alone, and the key they answered is refused everywhere, so they say nothing of this rule; " + rejectedKeyReason
				ids = append(ids, req.ID)
			}
		}
		doc.Run.Problems = append(doc.Run.Problems, fmt.Sprintf("hint: %s (explains the refusals of %s)", hint, joinCapped(ids, 8)))
	}
}

// keyShapes are the credential variants that carry the configured key (or
// the second tenant's): a 401 to them is no refusal of their form where
// the key itself is refused everywhere.
var keyShapes = map[string]bool{"valid": true, "second-tenant": true, "wrong-app": true, "malformed-no-at": true,
	"malformed-empty-app": true, "other-scheme": true, "basic": true, "v1-query": true}

// passedOnTheKeys401 is true when req passed on status judgements alone,
// every one a 401 (or "a 4xx") that answered a request carrying the key.
// A judgement of something else (a refusal's body) stands.
func passedOnTheKeys401(req *Requirement) bool {
	keyed := false
	for _, ex := range req.Evidence.Exchanges {
		if keyRefusal(ex.Status) && keyShapes[ex.AuthShape] {
			keyed = true
		}
		if ex.Status != 0 && !keyRefusal(ex.Status) && !keyNeutral(ex) && !ex.Replayed && ex.Method == "POST" {
			return false // it saw an answer that was no refusal of the key
		}
	}
	if !keyed {
		return false
	}
	judged := 0
	for _, f := range req.Evidence.Findings {
		if !f.OK || f.Expected == "" || f.Facts[NotJudgedFact] != "" || f.Facts[skippedFact] != "" {
			continue
		}
		status := f.Expected != "" && (f.Expected[0] >= '0' && f.Expected[0] <= '9' || strings.HasPrefix(f.Expected, "a 4xx"))
		if !status || !observedStatus(f, 401) && !observedStatus(f, 403) {
			return false
		}
		judged++
	}
	return judged > 0
}

// rejectedKeySummary is the report's one sentence when the configuration
// errors are the checks that failed on the configured key's 401s, or ""
// when they are not.
func rejectedKeySummary(doc *Document) string {
	var ids []string
	for _, r := range doc.Requirements {
		if r.Status == StatusFailed && r.Classification == ClassConfigurationError && strings.Contains(r.Reason, rejectedKeyReason) {
			ids = append(ids, r.ID)
		}
	}
	if len(ids) == 0 {
		return ""
	}
	return fmt.Sprintf("%d check(s) could not be judged %s (%s): every POST with the configured key was refused (401 or 403), so the key or the app name is probably wrong: "+
		"check WINSTON_API_KEY (fingerprint %s), WINSTON_APP_NAME (%s) and WINSTON_AUTH_SCHEME (%s).",
		len(ids), answersFrom(doc, orUnknown(doc.Target.BaseURL)), joinCapped(ids, 5),
		orUnknown(doc.Target.KeyFingerprint), orUnknown(doc.Target.AppName), orUnknown(doc.Target.AuthScheme))
}

// rejectedKeyReason is what a requirement that failed on 401s says when
// every request with the configured key got 401.
const rejectedKeyReason = "probably a wrong key or app name (every POST with the configured key was refused, 401 or 403; see the run's problems)"

// failedOnTheKeys401 is true when every failing finding of req observed a
// 401 (and there is at least one), and every 401 it got answered a request
// with a configured key: the refusal of the key is what failed it. A check
// that sent bad credentials on purpose (AUTH-008 judging the refusal's
// body, say) failed on something no key explains.
func failedOnTheKeys401(req *Requirement) bool {
	for _, ex := range req.Evidence.Exchanges {
		if keyRefusal(ex.Status) && ex.AuthShape != "valid" && ex.AuthShape != "second-tenant" {
			return false
		}
	}
	refusals := 0
	for _, f := range failingFindings(req) {
		if cause, _ := causeOf(f, req); cause == causeSetup {
			continue // a guessed path's 404, too few items: not the key's
		}
		if !observedStatus(f, 401) && !observedStatus(f, 403) {
			return false
		}
		refusals++
	}
	return refusals > 0
}

// rejectedKeyHint is the hint for a run in which every POST sent with the
// configured key got 401, or "".
func rejectedKeyHint(t Target, all []evidence.Exchange) string {
	sent := 0
	for _, ex := range all {
		// Only POST reaches authentication: the API refuses other
		// methods whatever the key (STRUCT-002). An answer that says
		// nothing of the key is passed over: an outage or throttling
		// (502-504, 429), and a 404 (a path the catalogue guessed, which
		// a router may refuse before any key is read).
		if ex.AuthShape != "valid" || ex.Method != "POST" || ex.Status == 0 || ex.ReplayMiss || keyNeutral(ex) {
			continue
		}
		if !keyRefusal(ex.Status) {
			return ""
		}
		sent += 1 + ex.Repeats
	}
	if sent == 0 {
		return ""
	}
	return fmt.Sprintf("all %d POST requests sent with the configured key were refused (401 or 403): the key or the app name is probably wrong; "+
		"check WINSTON_API_KEY (fingerprint %s), WINSTON_APP_NAME (%s) and WINSTON_AUTH_SCHEME (%s) against the environment's "+
		"'API development' integration, unless the target refuses valid keys (AUTH-001)",
		sent, orUnknown(t.KeyFingerprint), orUnknown(t.AppName), orUnknown(t.AuthScheme))
}

// anyObservedStatus is true when a failing finding of req observed status.
func anyObservedStatus(req *Requirement, status int) bool {
	return slices.ContainsFunc(failingFindings(req), func(f evidence.Finding) bool { return observedStatus(f, status) })
}

// notTheAPIReason is what a requirement judged on 404s alone says when
// every request of the run got 404.
const notTheAPIReason = "probably not the API (every request of the run got 404, even at documented paths; see the run's problems)"

// notTheAPIHint is the hint for a run in which every POST that got an
// answer got 404, documented paths included, or "": WINSTON_BASE_URL
// names a host or a path prefix that is not the API (a default backend
// of a load balancer answers so too).
func notTheAPIHint(t Target, all []evidence.Exchange) string {
	sent := 0
	for _, ex := range all {
		if ex.Method != "POST" || ex.Status == 0 || ex.ReplayMiss || ex.Unavailable || ex.Status == http.StatusTooManyRequests {
			continue
		}
		if ex.Status != http.StatusNotFound {
			return ""
		}
		sent += 1 + ex.Repeats
	}
	if sent == 0 {
		return ""
	}
	return fmt.Sprintf("all %d POST requests that got an answer got 404, at documented paths such as /api/v2/bills too: WINSTON_BASE_URL (%s) probably does not name the API "+
		"(another host, a path prefix, or a load balancer's default backend); set it to the origin whose /api/v2/bills answers, and run again",
		sent, orUnknown(t.BaseURL))
}

// onlyNotFound is true when every answer req got was a 404 (and there is
// one), and every failing finding of it observed one.
func onlyNotFound(req *Requirement) bool {
	got := 0
	for _, ex := range req.Evidence.Exchanges {
		if ex.Status == 0 || ex.Unavailable || ex.Status == http.StatusTooManyRequests {
			continue
		}
		if ex.Status != http.StatusNotFound {
			return false
		}
		got++
	}
	for _, f := range failingFindings(req) {
		if !observedStatus(f, 404) {
			return false
		}
	}
	return got > 0
}

// failedOnStatus is true when every failing finding of req expected a
// status ("200", "401 or 403", "a 4xx ..."), not something of a body.
func failedOnStatus(req *Requirement) bool {
	for _, f := range failingFindings(req) {
		if f.Expected == "" {
			return false
		}
		if digit := f.Expected[0] >= '0' && f.Expected[0] <= '9'; !digit && !strings.HasPrefix(f.Expected, "a 4xx") {
			return false
		}
	}
	return true
}

// keyNeutral is true for an answer that tells nothing of whether the
// key was accepted: an outage or throttling, or a 404.
func keyNeutral(ex evidence.Exchange) bool {
	switch ex.Status {
	case http.StatusNotFound, http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return ex.Unavailable
}

// keyRefusal is true for the statuses that refuse a credential: 401, and
// 403, which the contract allows for a right key with a wrong app name
// (and a key without access may get).
func keyRefusal(status int) bool { return status == 401 || status == 403 }

// observedStatus is true when finding f observed status.
func observedStatus(f evidence.Finding, status int) bool {
	prefix := fmt.Sprint(status)
	return f.Observed == prefix || strings.HasPrefix(f.Observed, prefix+" ") || strings.HasPrefix(f.Observed, prefix+";")
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// setupSummary is the report's one sentence when setup hints explain the
// configuration errors, or "" when none does (a replay miss).
func setupSummary(doc *Document) string {
	var ids []string
	var hint *setupHint
	for i := range doc.Requirements {
		req := &doc.Requirements[i]
		if req.Status != StatusFailed || req.Classification != ClassConfigurationError {
			continue
		}
		if cause, h := classifyFindings(req); cause == causeSetup && !anyReplayMiss(req.Evidence.Exchanges) {
			// The sentence names one hint: the first found, with the
			// checks it explains (the run's problems list every hint).
			if hint == nil {
				hint = h
			}
			if h.id == hint.id {
				ids = append(ids, req.ID)
			}
		}
	}
	if hint == nil {
		return rejectedKeySummary(doc)
	}
	if hint.id == hintThinData.id || hint.id == hintGuessedPath.id || hint.id == hintUnreadableField.id {
		return fmt.Sprintf("%d check(s) could not be judged %s (%s): %s.",
			len(ids), answersFrom(doc, orUnknown(doc.Target.BaseURL)), joinCapped(ids, 5), hint.text)
	}
	return fmt.Sprintf("%d check(s) got no answer from %s in %s mode because of the run's setup (%s): %s.",
		len(ids), orUnknown(doc.Target.BaseURL), doc.Mode, joinCapped(ids, 5), hint.text)
}

// addFixtureHint says, when a contract violation rests on a 404 to a
// mutating endpoint's example request (an order placed on fixtures.planId
// and tableNumber), that the fixtures may not be the environment's: a plan
// the tenant lacks gets the 404 a broken route would. The violations stay
// violations (the suite cannot tell the two apart); the hint names the
// settings to check before reporting them to Winston.
func addFixtureHint(doc *Document, cat *catalogue.Catalogue) {
	if cat == nil || cat.Fixtures.PlanID == "" {
		return
	}
	planField := `"plan_id":"` + cat.Fixtures.PlanID + `"`
	for _, ep := range cat.Endpoints {
		if !ep.Mutating {
			continue
		}
		var ids []string
		for _, req := range doc.Requirements {
			if req.Classification != ClassContractViolation {
				continue
			}
			for _, ex := range req.Evidence.Exchanges {
				if ex.Status == 404 && ex.AuthShape == "valid" && strings.HasSuffix(pathOf(ex.URL), ep.Path) && strings.Contains(ex.RequestBody, planField) {
					ids = append(ids, req.ID)
					break
				}
			}
		}
		if len(ids) > 0 {
			doc.Run.Problems = append(doc.Run.Problems, fmt.Sprintf("hint: %s (%s) answered 404 to its example request, which names fixtures.planId %q and tableNumber %d: "+
				"if they are not a plan and a table of your environment, set them in your catalogue (WINSTON_CATALOGUE) and run again before reporting these failures to Winston; "+
				"otherwise the 404 is the target's (explains the failures of %s)", ep.ID, ep.Path, cat.Fixtures.PlanID, cat.Fixtures.TableNumber, joinCapped(ids, 8)))
		}
	}
}

// pathOf is the path of an exchange's URL, or the URL when it does not parse.
func pathOf(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Path
	}
	return raw
}
