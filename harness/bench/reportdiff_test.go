package bench

import (
	"strings"
	"testing"
)

const baseReport = `{
 "verdict": "pass",
 "run": {"start": "2026-11-28T13:38:53Z", "end": "2026-11-28T13:38:54Z", "seed": 1, "command": "ginkgo --seed 1",
         "parallel": 1, "mode": "replay", "config": {"reportDir": "/r/1", "concurrency": 4}},
 "latency": {"bills": {"p50": 1}},
 "requirements": [
  {"id": "AUTH-001", "status": "passed", "durationMs": 1.4, "latencyMs": 0.2,
   "evidence": {"exchanges": [{"url": "https://replay.invalid/api/v2/bills", "status": 200, "latencyNs": 5}]}},
  {"id": "AUTH-002", "status": "passed", "durationMs": 0.3}
 ]
}`

func TestCompareReportsIgnoresOnlyVolatileFields(t *testing.T) {
	volatile := strings.NewReplacer(
		`"start": "2026-11-28T13:38:53Z"`, `"start": "2027-01-01T00:00:00Z"`,
		`"seed": 1`, `"seed": 99`, `"command": "ginkgo --seed 1"`, `"command": "ginkgo --seed 99"`,
		`"parallel": 1`, `"parallel": 2`, `"reportDir": "/r/1"`, `"reportDir": "/r/2"`,
		`"p50": 1`, `"p50": 7`, `"durationMs": 1.4`, `"durationMs": 9`, `"latencyMs": 0.2`, `"latencyMs": 3`,
		`"latencyNs": 5`, `"latencyNs": 500`,
	).Replace(baseReport)
	diffs, err := CompareReports([]byte(baseReport), []byte(volatile))
	if err != nil || len(diffs) != 0 {
		t.Errorf("timings alone gave differences %v (%v)", diffs, err)
	}
	cases := []struct{ name, from, to, want string }{
		{"status", `"id": "AUTH-002", "status": "passed"`, `"id": "AUTH-002", "status": "failed"`, `requirements[1].status: "passed" vs "failed"`},
		{"evidence", `"status": 200`, `"status": 401`, "requirements[0].evidence.exchanges[0].status: 200 vs 401"},
		{"config", `"concurrency": 4`, `"concurrency": 1`, "run.config.concurrency: 4 vs 1"},
		{"order", `{"id": "AUTH-002", "status": "passed", "durationMs": 0.3}`, `{"id": "AUTH-002", "status": "passed", "durationMs": 0.3}, {"id": "AUTH-003"}`, "requirements: 2 elements vs 3"},
		{"absent", `"verdict": "pass",`, ``, "verdict: \"pass\" vs (absent)"},
		{"null", `"verdict": "pass"`, `"verdict": null`, `verdict: "pass" vs null`},
	}
	for _, c := range cases {
		changed := strings.Replace(baseReport, c.from, c.to, 1)
		if changed == baseReport {
			t.Fatalf("%s: the replacement did not apply", c.name)
		}
		diffs, err := CompareReports([]byte(baseReport), []byte(changed))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if len(diffs) != 1 || diffs[0] != c.want {
			t.Errorf("%s: differences %q, want [%q]", c.name, diffs, c.want)
		}
	}
}

func TestCompareReportsRefusesNonReports(t *testing.T) {
	for _, bad := range []string{"", "{", "[]", "42"} {
		if _, err := CompareReports([]byte(baseReport), []byte(bad)); err == nil || !strings.Contains(err.Error(), "second report") {
			t.Errorf("CompareReports with %q: %v", bad, err)
		}
	}
}

func TestCompareReportsListsAtMostTwenty(t *testing.T) {
	var a, b strings.Builder
	a.WriteString(`{"requirements":[`)
	b.WriteString(`{"requirements":[`)
	for i := range 50 {
		if i > 0 {
			a.WriteString(",")
			b.WriteString(",")
		}
		a.WriteString(`{"status":"passed","x":1}`)
		b.WriteString(`{"status":"failed","y":1}`)
	}
	a.WriteString("]}")
	b.WriteString("]}")
	diffs, err := CompareReports([]byte(a.String()), []byte(b.String()))
	if err != nil || len(diffs) != maxDifferences {
		t.Errorf("%d differences (%v), want the first %d", len(diffs), err, maxDifferences)
	}
}
