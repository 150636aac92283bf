package e2e

import (
	"strings"
	"testing"

	"github.com/winston-conformance/winston-conformance/harness/config"
	"github.com/winston-conformance/winston-conformance/harness/report"
	"github.com/winston-conformance/winston-conformance/harness/sandbox"
)

// A BILL-002 window that does not exceed 2 days would judge the rule on a
// query the rule allows: the spec fails naming the fixture and sends
// nothing, whatever the target would answer.
func TestBillWindowFixturesMustExceedTwoDays(t *testing.T) {
	for name, edit := range map[string][2]string{
		"tooOldModifiedSince": {`tooOldModifiedSince: "${now-72h}"`, `tooOldModifiedSince: "${now-47h}"`},
		"wideModifiedAtTo":    {`wideModifiedAtTo: "2026-11-18T00:00:00Z"`, `wideModifiedAtTo: "2026-11-15T00:00:00Z"`},
	} {
		t.Run(name, func(t *testing.T) {
			cat := editedCatalogue(t, edit[0], edit[1])
			srv, log := startSandbox(t, sandbox.Options{})
			env := liveEnv(srv, "", "")
			env[config.EnvCatalogue] = cat
			r := runSuite(t, env, focus("BILL-002"))
			req := r.requirement(t, "BILL-002")
			if req.Status != "failed" || !strings.Contains(req.Reason, name) {
				t.Errorf("BILL-002 %s (%q): want failed, naming %s", req.Status, req.Reason, name)
			}
			if n := log.count(); n != 0 {
				t.Errorf("the sandbox got %d requests: a window the rule allows must not be sent", n)
			}
		})
	}
}

// BILL-003 judges the businessDay filter on a second day found in the
// large query; a large query that holds only the fixture's day leaves no
// second day, and the spec fails as too few items to judge, naming the
// setting to change, instead of passing on one day.
func TestBusinessDayFilterNeedsASecondDay(t *testing.T) {
	cat := editedCatalogue(t, `large: {"modifiedSince": "${modifiedSince}"}`, `large: {"businessDay": "${businessDay}"}`)
	srv, _ := startSandbox(t, sandbox.Options{})
	env := liveEnv(srv, "", "")
	env[config.EnvCatalogue] = cat
	req := runSuite(t, env, focus("BILL-003")).requirement(t, "BILL-003")
	if req.Status != "failed" || !strings.Contains(req.Reason, "too few items to judge") {
		t.Errorf("BILL-003 %s (%q): want failed with too few items to judge", req.Status, req.Reason)
	}
}

// With every list empty, SCHEMA-001 has validated no item of a list, only
// 200s and (mutations on) the order's answer: it fails as not judged, a
// configuration error, instead of passing on [] alone.
func TestSchemaCheckOnEmptyListsIsNotJudged(t *testing.T) {
	for _, mutations := range []string{"true", "false"} {
		srv, _ := startSandbox(t, sandbox.Options{Faults: []string{"empty-lists"}})
		env := liveEnv(srv, "", "")
		env[config.EnvAllowMutations] = mutations
		r := runSuite(t, env, focus("SCHEMA-001"))
		req := r.requirement(t, "SCHEMA-001")
		if req.Status != "failed" || req.Classification != "configuration-error" || !strings.Contains(req.Reason, "every list answer was empty") {
			t.Errorf("mutations %s: SCHEMA-001 %s, %s (%q): want failed as a configuration error, not judged", mutations, req.Status, req.Classification, req.Reason)
		}
	}
}

// When BILL-004's modifiedSince answer is empty, its business-day probe
// decides between a dropped bill and too few items. A throttled probe
// decides neither: the run says throttled, never "too few items" with a
// fixture to change.
func TestAThrottledProbeIsNeverTakenForThinData(t *testing.T) {
	srv, _ := startSandbox(t, sandbox.Options{Faults: []string{"bills-modifiedsince-empty"}, RateLimit: 1})
	env := liveEnv(srv, "", "")
	env[config.EnvRetries] = "0"
	req := runSuite(t, env, focus("BILL-004")).requirement(t, "BILL-004")
	if req.Status != "failed" || req.Classification == "configuration-error" || strings.Contains(req.Reason, "too few items") {
		t.Errorf("BILL-004 %s, %s (%q): a throttled probe must not read as too few items", req.Status, req.Classification, req.Reason)
	}
}

// A focused run whose one check skipped itself names that check and its
// reason, not the first of the checks the focus left out.
func TestAFocusedRunThatSkippedNamesTheSkippedCheck(t *testing.T) {
	srv, _ := startSandbox(t, sandbox.Options{Faults: []string{"auth-bypass"}})
	r := runSuite(t, liveEnv(srv, "", ""), focus("AUTH-008"))
	doc := r.mustDoc(t)
	if doc.Verdict != "config-error" || !strings.Contains(doc.Summary, "AUTH-008: ") || !strings.Contains(doc.Summary, "no bad credential was refused") {
		t.Errorf("verdict %s, summary %q: want config-error naming AUTH-008 and why it skipped", doc.Verdict, doc.Summary)
	}
}

// Empty lists beside answers the target throttled: nothing is known of
// the data, so SCHEMA-001 is throttled (unavailable), never "too few items".
func TestSchemaCheckWithThrottledAnswersIsNotThinData(t *testing.T) {
	srv, _ := startSandbox(t, sandbox.Options{Faults: []string{"empty-lists"}, RateLimit: 1})
	env := liveEnv(srv, "", "")
	env[config.EnvRetries] = "0"
	req := runSuite(t, env, focus("SCHEMA-001")).requirement(t, "SCHEMA-001")
	if req.Status != "failed" || req.Classification != "environment-unavailable" || strings.Contains(req.Reason, "too few items") {
		t.Errorf("SCHEMA-001 %s, %s (%q): throttled answers must not read as too few items", req.Status, req.Classification, req.Reason)
	}
}

// A copy of the catalogue with a fixture a request uses left out (an empty
// planId) is a configuration error before any request: never thirty
// contract violations of checks that sent an order with no plan.
func TestAnEmptyFixtureIsAConfigurationError(t *testing.T) {
	cat := editedCatalogue(t, "planId: plan-main", `planId: ""`)
	srv, log := startSandbox(t, sandbox.Options{})
	env := liveEnv(srv, "", "")
	env[config.EnvCatalogue] = cat
	r := runSuite(t, env, focus("AUTH-001", "ORDER-001"))
	doc := r.mustDoc(t)
	if doc.Verdict != report.VerdictConfigError || !strings.Contains(doc.Run.ConfigError, "fixtures.planId is empty") {
		t.Errorf("verdict %s (%s), want %s naming fixtures.planId", doc.Verdict, doc.Run.ConfigError, report.VerdictConfigError)
	}
	if n := log.count(); n != 0 {
		t.Errorf("the sandbox got %d requests: nothing may be sent with a fixture missing", n)
	}
}
