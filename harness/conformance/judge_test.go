package conformance

import (
	"strings"
	"testing"

	"github.com/winston-conformance/winston-conformance/harness/catalogue"
	"github.com/winston-conformance/winston-conformance/harness/evidence"
)

// A requirement that judged nothing must not pass: the audit removed
// "paged: true" from the catalogue and seven list checks passed with no
// finding at all.
func TestJudgeNeverPassesASpecThatJudgedNothing(t *testing.T) {
	paged := &catalogue.Requirement{ID: "LIST-001", Must: "limit is respected", Source: "mission", Endpoints: []string{"paged"}}
	star := &catalogue.Requirement{ID: "ERR-006", Must: "errors explain", Source: "mission", Endpoints: []string{"*"}}
	ep := []catalogue.Endpoint{{ID: "bills"}}
	skipped := evidence.Finding{Endpoint: "create-order", OK: true, Observed: "not exercised", Facts: map[string]string{"skipped": "replay; set WINSTON_ALLOW_MUTATIONS=true"}}
	unjudged := evidence.Finding{Endpoint: "bills (GET)", OK: true, Expected: "a 4xx to read", Observed: "200", Facts: map[string]string{NotJudgedFact: "no 4xx came"}}
	judged := evidence.Finding{Endpoint: "bills", OK: true, Expected: "200", Observed: "200"}
	thin := evidence.Finding{Endpoint: "bills (limit 4)", Expected: "at least 4 items, to judge limit 3", Observed: "2 items",
		Facts: map[string]string{InsufficientDataFact: "add bills"}}
	for _, tc := range []struct {
		name     string
		req      *catalogue.Requirement
		eps      []catalogue.Endpoint
		findings []evidence.Finding
		want     outcome
		says     []string
	}{
		{"no endpoint matched the selector", paged, nil, nil, outcomeFail, []string{"LIST-001 judged nothing", "[paged] matched no endpoint", "paged: true"}},
		{"no finding at all", star, ep, nil, outcomeFail, []string{"judged nothing", "recorded no finding"}},
		{"only answers it could not judge", star, ep, []evidence.Finding{unjudged}, outcomeFail, []string{"judged nothing", "no 4xx came"}},
		{"a finding without an expectation", star, ep, []evidence.Finding{{Endpoint: "bills", OK: true, Observed: "200"}}, outcomeFail, []string{"judged nothing"}},
		{"every endpoint left out on purpose", star, ep, []evidence.Finding{skipped}, outcomeSkip, []string{"judged nothing", "WINSTON_ALLOW_MUTATIONS=true"}},
		{"one judgement among skips", star, ep, []evidence.Finding{skipped, unjudged, judged}, outcomePass, nil},
		{"a violation", star, ep, []evidence.Finding{judged, {Endpoint: "bills", Expected: "400", Observed: "200"}}, outcomeFail, []string{"1 violation(s); first: bills: expected 400; observed 200"}},
		{"too few items, beside a judgement that held", paged, ep, []evidence.Finding{judged, thin}, outcomeFail,
			[]string{"LIST-001 not judged: too few items to judge on 1 answer(s); first: bills (limit 4): expected at least 4 items", "fix: add bills"}},
		{"too few items beside a violation", paged, ep, []evidence.Finding{thin, {Endpoint: "bills", Expected: "400", Observed: "200"}}, outcomeFail,
			[]string{"1 violation(s); first: bills: expected 400", "not judged for want of data:\n- bills (limit 4)"}},
	} {
		got, msg := judge(tc.req, tc.eps, tc.findings, nil)
		if got != tc.want {
			t.Errorf("%s: outcome %d, want %d (%s)", tc.name, got, tc.want, msg)
		}
		for _, s := range tc.says {
			if !strings.Contains(msg, s) {
				t.Errorf("%s: the message does not say %q:\n%s", tc.name, s, msg)
			}
		}
	}
}
