package conformance

import (
	"net/http"
	"strings"
	"testing"

	"github.com/winston-conformance/winston-conformance/harness/catalogue"
	"github.com/winston-conformance/winston-conformance/harness/client"
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
