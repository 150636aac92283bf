package report

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/winston-conformance/winston-conformance/harness/catalogue"
	"github.com/winston-conformance/winston-conformance/harness/evidence"
	"github.com/winston-conformance/winston-conformance/harness/redact"
	"github.com/winston-conformance/winston-conformance/harness/schema"
)

// maxExcerpt bounds a body excerpt in the report; the client already cuts
// bodies, this keeps a report readable even when it did not.
const maxExcerpt = 4096

// makeRequirement is one report row: the catalogue's words plus what the
// spec (nil when it did not run) reported, with env (the run's runEnv)
// in its reproduce line. Classification comes later, once the whole run
// is known.
func makeRequirement(cat *catalogue.Catalogue, creq catalogue.Requirement, res *specResult, env string) Requirement {
	red := redact.Global()
	level := creq.Level
	if level == "" {
		level = catalogue.LevelMust
	}
	req := Requirement{
		ID: creq.ID, Title: creq.Title, Must: creq.Must, Family: creq.Family, Source: creq.Source, Level: level,
		Endpoints: []string{},
		Focus:     focusLine(env, creq.ID),
		Evidence:  Evidence{Exchanges: []evidence.Exchange{}, Findings: []evidence.Finding{}},
	}
	for _, e := range cat.EndpointsOf(&creq) {
		req.Endpoints = append(req.Endpoints, e.ID)
	}
	if res == nil {
		req.Status = StatusNotRun
		req.Reason = NotSelectedReason
		return req
	}
	message := red.String(strings.Join(res.messages, "\n"))
	switch {
	case res.failed > 0:
		req.Status = StatusFailed
		req.Evidence.Failure = &Failure{Message: message, Location: red.String(res.location)}
	case res.interrupted > 0:
		req.Status = StatusNotRun
	case res.passed > 0:
		req.Status = StatusPassed
	default:
		req.Status = StatusSkipped
	}
	if req.Status != StatusPassed {
		req.Reason = firstLine(message)
	}
	req.DurationMs = ms(res.runTime)
	for _, ex := range res.exchanges {
		ex = redactExchange(ex)
		req.Evidence.Exchanges = append(req.Evidence.Exchanges, ex)
		if !ex.Replayed && ex.Status != 0 {
			for _, l := range ex.Latencies() {
				req.LatencyMs = max(req.LatencyMs, ms(l))
			}
		}
	}
	var first, firstBad, firstUnserved *evidence.Finding
	for _, f := range res.findings {
		f = redactFinding(f)
		req.Evidence.Findings = append(req.Evidence.Findings, f)
		// Each line names the answer it is about; those about what a
		// schema only infers (not judged) follow the others.
		var inferred []string
		for _, e := range f.SchemaErrors {
			line := e
			if f.Endpoint != "" {
				line = f.Endpoint + ": " + e
			}
			if strings.HasSuffix(e, schema.InferredNote) {
				inferred = append(inferred, line)
			} else {
				req.Evidence.SchemaErrors = append(req.Evidence.SchemaErrors, line)
			}
		}
		req.Evidence.SchemaErrors = append(req.Evidence.SchemaErrors, inferred...)
	}
	for i := range req.Evidence.Findings {
		f := &req.Evidence.Findings[i]
		if first == nil && (f.Expected != "" || f.Observed != "") {
			first = f
		}
		if firstBad == nil && !f.OK && (f.Expected != "" || f.Observed != "") {
			firstBad = f
		}
		if firstUnserved == nil && (f.Facts[UnavailableFact] != "" || f.Facts[ThrottledFact] != "") {
			firstUnserved = f
		}
	}
	// The headline evidence is a failure; else an answer the target did
	// not serve (a 503, a 429, a request not sent), which is what an
	// unavailable requirement must show; else the first judgement.
	switch {
	case firstBad != nil:
		first = firstBad
	case firstUnserved != nil:
		first = firstUnserved
	}
	if first != nil {
		req.Evidence.Expected, req.Evidence.Observed = first.Expected, first.Observed
	}
	return req
}

// classify settles a requirement's classification from its failing
// findings and the whole run: a configuration error (a replay miss, or no
// answer for a reason a setup hint explains, such as an untrusted CA), an
// outage, a known vendor issue, or a contract violation (advisory when the
// requirement is only a SHOULD).
func classify(req *Requirement, runUnavailable bool, ledger *Ledger, baseURL string, at time.Time) {
	entry, expired := ledger.Match(req.ID, baseURL, at)
	if req.Status == StatusPassed && entry != nil {
		req.Reason = "passed although the known-issues ledger lists it (" + entry.Note + "): the defect may be fixed; remove the entry"
	}
	if req.Status != StatusFailed {
		return
	}
	cause, hint := classifyFindings(req)
	switch {
	case anyReplayMiss(req.Evidence.Exchanges):
		req.Classification = ClassConfigurationError
		req.Reason = "configuration error: the cassettes hold no answer for this check's requests, so replay cannot judge it; run with the settings the cassettes were recorded with, or re-record (make record FOCUS=" + req.ID + "): " + req.Reason
	case cause == causeSetup:
		req.Classification = ClassConfigurationError
		req.Reason = "configuration error: " + hint.requirementReason() + ": " + req.Reason
	case runUnavailable && (cause != causeAnswer || !probeAnswered(req) && !refusalJudged(req)):
		// A check that made no request (the TLS probes) and got an
		// answer about the contract is judged on it, outage or not.
		req.Classification = ClassEnvironmentUnavailable
		req.Reason = "environment unavailable: " + unansweredCount(req.Reason)
	case cause == causeUnavailable, allUnavailable(req.Evidence.Exchanges) && !refusalJudged(req):
		req.Classification = ClassEnvironmentUnavailable
		req.Reason = "environment unavailable: " + unansweredCount(req.Reason)
	case entry != nil:
		req.Status = StatusKnownIssue
		req.Classification = ClassKnownVendorIssue
		req.KnownIssue = &KnownIssue{Note: redact.Global().String(entry.Note), Expires: entry.Expires}
		req.Reason = "known vendor issue (" + req.KnownIssue.Note + ", until " + entry.Expires + "): " + req.Reason
	default:
		req.Classification = ClassContractViolation
		req.Advisory = req.Level == catalogue.LevelShould
		if expired != nil {
			req.Reason += " (the known-issues entry for " + req.ID + " expired on " + expired.Expires + ", so it counts again)"
		}
	}
}

// violationCount is how a spec's failure message begins: "8 violation(s)".
var violationCount = regexp.MustCompile(`^(\d+) violation\(s\)`)

// notJudgedCount is the count of a failure message, wherever it stands in
// a configuration error's reason (after the hint that explains it).
var notJudgedCount = regexp.MustCompile(`\b(\d+) violation\(s\)`)

// unansweredCount rewords a failure message's count for a requirement the
// environment left unjudged: its failures got no answer, which is no
// violation.
func unansweredCount(reason string) string {
	return violationCount.ReplaceAllString(reason, "${1} observation(s) without an answer")
}

// anyReplayMiss is true when replay had no recorded answer for a request.
func anyReplayMiss(exchanges []evidence.Exchange) bool {
	for _, ex := range exchanges {
		if ex.ReplayMiss {
			return true
		}
	}
	return false
}

// allUnavailable is true when a requirement sent requests and none of them
// got an answer that tells anything about the contract.
func allUnavailable(exchanges []evidence.Exchange) bool {
	if len(exchanges) == 0 {
		return false
	}
	for _, ex := range exchanges {
		if !ex.Unavailable {
			return false
		}
	}
	return true
}

// refusalJudged is true when a failing finding of req judged a connection
// refused at once (RefusedConnectionFact): no answer, yet no outage.
func refusalJudged(req *Requirement) bool {
	for _, f := range req.Evidence.Findings {
		if !f.OK && f.Facts[RefusedConnectionFact] != "" {
			return true
		}
	}
	return false
}

// RefusedConnectionFact is the key of a failing finding's Facts that says
// the finding judged a connection refused at once by a target that answers
// otherwise (nothing listens for plain HTTP while HTTPS serves): a
// violation, though its exchange got no answer.
const RefusedConnectionFact = "refusedConnection"

// probeAnswered is true when a finding of req records a TLS probe's answer
// (a handshake that succeeded, or failed for a reason of the target's):
// such a check made no HTTP request, and is judged on its answer even in a
// run whose HTTP requests all went unanswered.
func probeAnswered(req *Requirement) bool {
	for _, f := range req.Evidence.Findings {
		if strings.HasPrefix(f.Observed, "handshake succeeded") || strings.HasPrefix(f.Observed, evidence.HandshakeFailedPrefix) && !strings.Contains(f.Observed, unreachableMark) {
			return true
		}
	}
	return false
}

// runWasUnavailable is true when requests were sent and not one got an
// answer other than a transport error or 502/503/504: the target was
// down, so nothing can be said about the contract.
func runWasUnavailable(exchanges []evidence.Exchange) bool {
	if len(exchanges) == 0 {
		return false
	}
	sent := 0
	for _, ex := range exchanges {
		if ex.ReplayMiss {
			continue // nothing was asked of the target
		}
		sent++
		// An answer with a status is an answer, even when reading it
		// failed (a body over WINSTON_MAX_BODY): the client marks the
		// outage statuses and transport failures unavailable itself.
		if ex.Status != 0 && !ex.Unavailable && ex.Status != 502 && ex.Status != 503 && ex.Status != 504 {
			return false
		}
		if ex.Status == 0 && !ex.Unavailable && !strings.HasPrefix(ex.Error, "not sent") {
			// No answer, for a reason of the target's that is no
			// outage (a certificate the client refuses): the target is
			// there. A request kept back unsent shows nothing of it.
			return false
		}
	}
	return sent > 0
}

// credentialPattern finds the credential part of an Authorization value
// (after "Token app@", "Bearer " or "Basic ").
var credentialPattern = regexp.MustCompile(`(?i)^(token\s+[^@\s]*@|bearer\s+|basic\s+)(.*)$`)

// placeholderPattern matches what the redactor leaves in place of a key.
var placeholderPattern = regexp.MustCompile(`^<[A-Z0-9_]+(:base64)?>$`)

// redactExchange passes every string through the redactor, and then, as a
// second line of defence against a key the redactor was never told about,
// replaces any Authorization credential or api_key query value that is not
// already a placeholder. The auth shape still says what kind was sent.
func redactExchange(ex evidence.Exchange) evidence.Exchange {
	red := redact.Global()
	ex.Method = red.String(ex.Method)
	ex.URL = scrubQuery(red.String(ex.URL))
	ex.AuthShape = red.String(ex.AuthShape)
	ex.RequestHeaders = redactHeaders(ex.RequestHeaders)
	ex.ResponseHeaders = redactHeaders(ex.ResponseHeaders)
	ex.RequestBody = cut(red.String(ex.RequestBody), maxExcerpt)
	ex.ResponseBody = cut(red.String(ex.ResponseBody), maxExcerpt)
	ex.Error = red.String(ex.Error)
	ex.Cassette = red.String(ex.Cassette)
	return ex
}

func redactHeaders(h map[string]string) map[string]string {
	if h == nil {
		return nil
	}
	red := redact.Global()
	out := make(map[string]string, len(h))
	for k, v := range h {
		v = red.String(v)
		if strings.EqualFold(k, "Authorization") || strings.EqualFold(k, "Proxy-Authorization") {
			if m := credentialPattern.FindStringSubmatch(v); m != nil && !placeholderPattern.MatchString(m[2]) {
				v = m[1] + "<redacted>"
			} else if m == nil && !placeholderPattern.MatchString(v) && v != "" {
				v = "<redacted>"
			}
		}
		out[red.String(k)] = v
	}
	return out
}

// scrubQuery hides api_key query values that are not placeholders.
func scrubQuery(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.RawQuery == "" {
		return raw
	}
	q := u.Query()
	changed := false
	for k, vs := range q {
		if !strings.EqualFold(k, "api_key") {
			continue
		}
		for i, v := range vs {
			if !placeholderPattern.MatchString(v) {
				vs[i] = "<redacted>"
				changed = true
			}
		}
	}
	if !changed {
		return raw
	}
	u.RawQuery = q.Encode()
	return u.String()
}

func redactFinding(f evidence.Finding) evidence.Finding {
	red := redact.Global()
	f.Endpoint = red.String(f.Endpoint)
	f.Expected = red.String(f.Expected)
	f.Observed = red.String(f.Observed)
	errs := make([]string, len(f.SchemaErrors))
	for i, e := range f.SchemaErrors {
		errs[i] = red.String(e)
	}
	f.SchemaErrors = errs
	if f.Facts != nil {
		facts := make(map[string]string, len(f.Facts))
		for k, v := range f.Facts {
			facts[red.String(k)] = red.String(v)
		}
		f.Facts = facts
	}
	return f
}

// cleanURL drops user information from a URL (a key must never ride in
// one) and redacts the rest.
func cleanURL(raw string) string {
	if raw == "" {
		return ""
	}
	if u, err := url.Parse(raw); err == nil && u.User != nil {
		u.User = nil
		raw = u.String()
	}
	return scrubQuery(redact.Global().String(raw))
}

// redactAny redacts every string of a JSON-encodable value by passing its
// encoding through the redactor; a value that cannot be encoded is
// replaced by a note, not dropped silently.
func redactAny(v any) any {
	if v == nil {
		return nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		return "(configuration could not be encoded: " + redact.Global().String(err.Error()) + ")"
	}
	var out any
	if err := json.Unmarshal(redact.Global().Bytes(data), &out); err != nil {
		return "(configuration could not be encoded: " + redact.Global().String(err.Error()) + ")"
	}
	return out
}

// fillTargetFacts copies the transport facts the TRANS checks reported
// into the target, where the caller did not already know them.
func fillTargetFacts(t *Target, results map[string]*specResult) {
	fields := map[string]*string{"tlsVersion": &t.TLSVersion, "tlsCipher": &t.TLSCipher, "certIssuer": &t.CertIssuer,
		"certExpiry": &t.CertExpiry, "hsts": &t.HSTS}
	for _, id := range sortedKeys(results) {
		for _, f := range results[id].findings {
			for key, dst := range fields {
				if v, ok := f.Facts[key]; ok && *dst == "" {
					*dst = redact.Global().String(v)
				}
			}
		}
	}
}

func ms(d time.Duration) float64 {
	return float64(d.Round(100*time.Microsecond)) / float64(time.Millisecond)
}
