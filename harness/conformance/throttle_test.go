package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/winston-conformance/winston-conformance/harness/catalogue"
	"github.com/winston-conformance/winston-conformance/harness/client"
	"github.com/winston-conformance/winston-conformance/harness/config"
	"github.com/winston-conformance/winston-conformance/harness/evidence"
)

// A 429 that outlasted the client's retries is the environment throttling
// the run: it must neither pass a refusal check (a 429 is a 4xx) nor fail
// a check that expects 200, and the spec must say what to lower.
func TestA429IsNeverAJudgementOutsideTheRateLimitCheck(t *testing.T) {
	throttled := &client.Response{Status: http.StatusTooManyRequests, Header: http.Header{"Retry-After": {"60"}},
		Exchange: evidence.Exchange{Retries: 3}}
	ok := &client.Response{Status: http.StatusOK, Header: http.Header{}}
	ep := []catalogue.Endpoint{{ID: "bills"}}
	for _, tc := range []struct {
		name    string
		id      string
		observe func(ct *T)
	}{
		{"a refusal check gets a 429", "STRUCT-004", func(ct *T) { ct.Expect4xx("bills (text/plain)", throttled, "a text body") }},
		{"a 200 check gets a 429", "SCHEMA-001", func(ct *T) { ct.ExpectStatus("bills", throttled, 200) }},
		{"a check judges one endpoint and is throttled on the other", "STRUCT-002", func(ct *T) {
			ct.ExpectStatus("tables", ok, 200)
			ct.Expect4xx("bills (GET)", throttled, "GET")
		}},
	} {
		req := &catalogue.Requirement{ID: tc.id, Must: "a rule", Source: "mission", Endpoints: []string{"*"}}
		ct := &T{Req: req}
		tc.observe(ct)
		for _, f := range ct.Findings() {
			if f.Observed == "429" && (f.Facts[ThrottledFact] == "" || !strings.Contains(f.Facts[NotJudgedFact], "after 3 retries")) {
				t.Errorf("%s: the 429 is not recorded as throttled and not judged: %+v", tc.name, f)
			}
		}
		got, msg := judge(req, ep, ct.Findings(), nil)
		if got != outcomeFail {
			t.Errorf("%s: outcome %d, want a spec that is not judged (%d): %s", tc.name, got, outcomeFail, msg)
		}
		for _, want := range []string{tc.id + " not judged", "throttled", "WINSTON_MAX_RPS", "WINSTON_CONCURRENCY", "run again"} {
			if !strings.Contains(msg, want) {
				t.Errorf("%s: the message does not say %q:\n%s", tc.name, want, msg)
			}
		}
		if strings.Contains(msg, "violation") {
			t.Errorf("%s: a throttled answer is reported as a violation:\n%s", tc.name, msg)
		}
	}
}

// ERR-008 judges the 429 itself: there a 429 without Retry-After fails.
func TestTheRateLimitCheckJudgesA429(t *testing.T) {
	req := &catalogue.Requirement{ID: "ERR-008", Must: "429 says when", Source: "inferred", Endpoints: []string{"bills"}}
	ct := &T{Req: req, judgesRateLimit: true}
	bare := &client.Response{Status: http.StatusTooManyRequests, Header: http.Header{}}
	ct.Observe("bills", false, "a Retry-After header (seconds or an HTTP date) on 429", bare)
	got, msg := judge(req, []catalogue.Endpoint{{ID: "bills"}}, ct.Findings(), nil)
	if got != outcomeFail || !strings.Contains(msg, "1 violation(s)") {
		t.Errorf("outcome %d, want ERR-008 to fail as a violation on a 429 without Retry-After:\n%s", got, msg)
	}
}

// A 502, 503 or 504 that outlasted the client's retries is an endpoint
// down: it neither passes a check that expects a refusal nor fails one
// that expects a 200, beside other endpoints that answered too, and the
// spec says which endpoint was down. Beside a real violation it is named,
// and the violation stands.
func TestAnOutageAnswerIsNeverAJudgement(t *testing.T) {
	down := &client.Response{Status: http.StatusServiceUnavailable, Header: http.Header{}, Exchange: evidence.Exchange{Retries: 2, Unavailable: true}}
	ok := &client.Response{Status: http.StatusOK, Header: http.Header{}}
	ep := []catalogue.Endpoint{{ID: "bills"}, {ID: "tables"}}
	req := &catalogue.Requirement{ID: "STRUCT-004", Must: "a rule", Source: "mission", Endpoints: []string{"*"}}
	ct := &T{Req: req}
	ct.ExpectStatus("tables", ok, 200)
	if ct.Expect4xx("bills (text/plain)", down, "a text body") {
		t.Error("a 503 was taken for a refusal")
	}
	got, msg := judge(req, ep, ct.Findings(), nil)
	if got != outcomeFail || !strings.Contains(msg, "STRUCT-004 not judged") || !strings.Contains(msg, "bills (text/plain) (503)") || strings.Contains(msg, "violation") {
		t.Errorf("outcome %d, want not judged, naming the endpoint down, no violation:\n%s", got, msg)
	}
	for _, f := range ct.Findings() {
		if f.Observed == "503" && (f.Facts[UnavailableFact] != "503" || !strings.Contains(f.Facts[NotJudgedFact], "after 2 retries")) {
			t.Errorf("the 503 is not recorded as unavailable and not judged: %+v", f)
		}
	}
	// A request the breaker kept back (its path failed in a row) is not
	// judged either.
	notSent := &client.Response{Err: fmt.Errorf("POST /api/v2/list/revenueGroups: %w: not sent", client.ErrTargetUnavailable), Exchange: evidence.Exchange{Unavailable: true}}
	ct = &T{Req: req}
	ct.ExpectStatus("tables", ok, 200)
	ct.Expect4xx("revenue-groups (text/plain)", notSent, "a text body")
	if got, msg := judge(req, ep, ct.Findings(), nil); got != outcomeFail || strings.Contains(msg, "violation") || !strings.Contains(msg, "revenue-groups (text/plain) (not sent)") {
		t.Errorf("a request not sent: outcome %d, want not judged:\n%s", got, msg)
	}
	bad := &client.Response{Status: http.StatusOK, Header: http.Header{}}
	ct = &T{Req: req}
	ct.Expect4xx("tables (text/plain)", bad, "a text body")
	ct.Expect4xx("bills (text/plain)", down, "a text body")
	if got, msg := judge(req, ep, ct.Findings(), nil); got != outcomeFail || !strings.Contains(msg, "1 violation(s)") || !strings.Contains(msg, "outage answers: bills (text/plain) (503)") {
		t.Errorf("a violation beside an outage answer: outcome %d:\n%s", got, msg)
	}
}

// crashOnBadJSON answers 502 to a body that is not JSON, as a gateway does
// when the backend crashed on it, and 200 to anything else; down answers
// 503 to everything.
type crashOnBadJSON struct{ down bool }

func (c crashOnBadJSON) RoundTrip(req *http.Request) (*http.Response, error) {
	body, _ := io.ReadAll(req.Body)
	status := http.StatusOK
	switch {
	case c.down:
		status = http.StatusServiceUnavailable
	case !json.Valid(body):
		status = http.StatusBadGateway
	}
	return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader("[]")), Request: req}, nil
}

// badRequestSetup is a live configuration, ERR-001 and the bills endpoint
// with its example request, for the tests of a bad request's 5xx.
func badRequestSetup(t *testing.T) (*config.Config, *catalogue.Requirement, catalogue.Endpoint) {
	t.Helper()
	cfg, err := config.LoadFrom(config.MapLookup(map[string]string{
		config.EnvMode: "live", config.EnvBaseURL: "https://api-qa.example.test", config.EnvAPIKey: "a-long-enough-key",
		config.EnvReportDir: t.TempDir(), config.EnvRetries: "0", config.EnvMaxRPS: "0",
	}))
	if err != nil {
		t.Fatal(err)
	}
	return cfg, &catalogue.Requirement{ID: "ERR-001", Must: "a 4xx for malformed JSON", Source: "mission", Endpoints: []string{"*"}},
		catalogue.Endpoint{ID: "bills", Path: "/api/v2/bills", Request: map[string]any{"limit": 5}}
}

// A 502 to a bad request at a path that still serves (its example request,
// sent at once, gets 200) is that request's: the "never a 5xx" of
// Expect4xx judges it. At a path that does not serve it is an outage, not
// judged, and Observe never judges one.
func TestA5xxToABadRequestAtAPathThatServesIsJudged(t *testing.T) {
	cfg, req, bills := badRequestSetup(t)
	cat := &catalogue.Catalogue{Endpoints: []catalogue.Endpoint{bills}}
	for _, tc := range []struct {
		name      string
		rt        crashOnBadJSON
		violation bool
	}{
		{"the path serves", crashOnBadJSON{}, true},
		{"the path is down", crashOnBadJSON{down: true}, false},
	} {
		ct := &T{Req: req, Cat: cat, env: &Env{Config: cfg}, API: client.New(cfg, catalogue.Fixtures{}, tc.rt)}
		resp := ct.API.Post(context.Background(), bills.Path, nil, client.WithRawBody([]byte(`{"limit":`)))
		ct.Expect4xx("bills", resp, "a body that is not JSON")
		got, msg := judge(req, []catalogue.Endpoint{bills}, ct.Findings(), nil)
		if isViolation := got == outcomeFail && strings.Contains(msg, "violation(s)"); isViolation != tc.violation {
			t.Errorf("%s: outcome %d, violation %v, want %v:\n%s", tc.name, got, isViolation, tc.violation, msg)
		}
	}
	// ExpectStatus of a refusal (ERR-007's 400, an auth check's 401) judges
	// it the same way.
	ct0 := &T{Req: req, Cat: cat, env: &Env{Config: cfg}, API: client.New(cfg, catalogue.Fixtures{}, crashOnBadJSON{})}
	bad := ct0.API.Post(context.Background(), bills.Path, nil, client.WithRawBody([]byte(`{"limit":`)))
	ct0.ExpectStatus("bills", bad, 400)
	if got, msg := judge(req, []catalogue.Endpoint{bills}, ct0.Findings(), nil); got != outcomeFail || !strings.Contains(msg, "violation(s)") {
		t.Errorf("ExpectStatus 400 got a 502 at a path that serves: outcome %d, want a violation:\n%s", got, msg)
	}
	crash := &client.Response{Status: http.StatusBadGateway, Header: http.Header{}, Exchange: evidence.Exchange{Unavailable: true, URL: "https://api-qa.example.test/api/v2/bills"}}
	ct := &T{Req: req, Cat: cat, env: &Env{Config: cfg}, API: client.New(cfg, catalogue.Fixtures{}, crashOnBadJSON{})}
	ct.ExpectStatus("bills", crash, 200)
	if got, msg := judge(req, []catalogue.Endpoint{bills}, ct.Findings(), nil); strings.Contains(msg, "violation") {
		t.Errorf("ExpectStatus judged an outage answer: outcome %d:\n%s", got, msg)
	}
}

// resetOnBadJSON drops the connection on a body that is not JSON and
// answers 200 to anything else.
type resetOnBadJSON struct{}

func (resetOnBadJSON) RoundTrip(req *http.Request) (*http.Response, error) {
	body, _ := io.ReadAll(req.Body)
	if !json.Valid(body) {
		return nil, io.ErrUnexpectedEOF
	}
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader("[]")), Request: req}, nil
}

// A connection dropped on a request that must be refused, at a path that
// answers its example at once, is judged: no 4xx, and no outage.
func TestADroppedConnectionOnABadRequestIsJudged(t *testing.T) {
	cfg, req, bills := badRequestSetup(t)
	ct := &T{Req: req, Cat: &catalogue.Catalogue{Endpoints: []catalogue.Endpoint{bills}}, env: &Env{Config: cfg}, API: client.New(cfg, catalogue.Fixtures{}, resetOnBadJSON{})}
	resp := ct.API.Post(context.Background(), bills.Path, nil, client.WithRawBody([]byte(`{"limit":`)))
	if resp.Err == nil || !resp.Unavailable() {
		t.Fatalf("fixture: want no answer, marked unavailable: %v", resp.Err)
	}
	ct.Expect4xx("bills", resp, "a body that is not JSON")
	got, msg := judge(req, []catalogue.Endpoint{bills}, ct.Findings(), nil)
	if got != outcomeFail || !strings.Contains(msg, "the connection failed on this request") || strings.Contains(msg, evidence.NoAnswerPrefix) {
		t.Errorf("outcome %d, want a violation read as an answer:\n%s", got, msg)
	}
}

// blipOnce answers 503 to the first request it gets and 400 to bad JSON
// after that (200 to anything else): a flaky environment, not a backend
// that dies on the bad request.
type blipOnce struct{ n *int }

func (b blipOnce) RoundTrip(req *http.Request) (*http.Response, error) {
	body, _ := io.ReadAll(req.Body)
	*b.n++
	status := http.StatusOK
	switch {
	case *b.n == 1:
		status = http.StatusServiceUnavailable
	case !json.Valid(body):
		status = http.StatusBadRequest
	}
	return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader("[]")), Request: req}, nil
}

// A 5xx to a bad request that does not repeat when the request is sent
// once more was a blip: not judged, and no violation.
func TestABlipOnABadRequestIsNotJudged(t *testing.T) {
	cfg, req, bills := badRequestSetup(t)
	n := 0
	ct := &T{Req: req, Cat: &catalogue.Catalogue{Endpoints: []catalogue.Endpoint{bills}}, env: &Env{Config: cfg}, API: client.New(cfg, catalogue.Fixtures{}, blipOnce{&n})}
	resp := ct.API.Post(context.Background(), bills.Path, nil, client.WithRawBody([]byte(`{"limit":`)))
	ct.Expect4xx("bills", resp, "a body that is not JSON")
	if got, msg := judge(req, []catalogue.Endpoint{bills}, ct.Findings(), nil); strings.Contains(msg, "violation") {
		t.Errorf("a blip was judged: outcome %d:\n%s", got, msg)
	}
	notes := 0
	for _, ex := range ct.API.Exchanges() {
		if ex.Note != "" {
			notes++
		}
	}
	if n != 3 || notes != 2 {
		t.Errorf("%d requests, %d with a note; want the bad one, a noted control and the noted repeat", n, notes)
	}
}
