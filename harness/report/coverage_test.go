package report

import (
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/winston-conformance/winston-conformance/harness/evidence"
)

// cellOf returns the coverage cell of an endpoint and family.
func cellOf(t *testing.T, d *Document, endpoint, family string) Cell {
	t.Helper()
	for i, e := range d.Coverage.Endpoints {
		if e.ID != endpoint {
			continue
		}
		for j, f := range d.Coverage.Families {
			if f == family {
				return d.Coverage.Cells[i][j]
			}
		}
	}
	t.Fatalf("no cell %s/%s", endpoint, family)
	return Cell{}
}

func TestCoverageMarksEndpointsACheckPassedOver(t *testing.T) {
	s := passing("AUTH-001", "a valid token is accepted")
	s.findings = []evidence.Finding{
		{Endpoint: "bills", Expected: "200", Observed: "200", OK: true},
		{Endpoint: "create-order", OK: true, Observed: "not exercised", Facts: map[string]string{"skipped": "mutations are off for this host"}},
	}
	d := Build(ginkgoReport(t, append(allPassing("AUTH-001"), s)...), testCatalogue(t), liveRun(), nil, nil)
	if c := cellOf(t, d, "create-order", "auth"); c.Status != StatusSkipped {
		t.Errorf("create-order/auth = %+v, want skipped", c)
	}
	if c := cellOf(t, d, "bills", "auth"); c.Status != StatusPassed {
		t.Errorf("bills/auth = %+v, want passed", c)
	}
	found := false
	for _, n := range d.Coverage.NotExercised {
		if n.Endpoint == "create-order" && n.Family == "auth" && strings.Contains(n.Why, "AUTH-001: mutations are off") {
			found = true
		}
	}
	if !found {
		t.Errorf("not exercised = %+v", d.Coverage.NotExercised)
	}
}

func TestCoverageLocatesAFailureByItsFindings(t *testing.T) {
	s := fakeSpec{text: "AUTH-001 a valid token is accepted", state: types.SpecStateFailed, msg: "categories: expected 200, got 401",
		exchanges: []evidence.Exchange{answer("/api/v2/list/categories", 401, "Unauthorized", time.Millisecond)},
		findings: []evidence.Finding{
			{Endpoint: "bills (limit 3)", Expected: "200", Observed: "200", OK: true},
			{Endpoint: "categories", Expected: "200", Observed: "401", OK: false},
		}}
	d := Build(ginkgoReport(t, append(allPassing("AUTH-001"), s)...), testCatalogue(t), liveRun(), nil, nil)
	for ep, want := range map[string]string{"bills": StatusPassed, "categories": StatusFailed, "create-order": StatusFailed} {
		if c := cellOf(t, d, ep, "auth"); c.Status != want {
			t.Errorf("%s/auth = %+v, want %s", ep, c, want)
		}
	}
	if c := cellOf(t, d, "categories", "auth"); c.Classification != ClassContractViolation || cellLabel(c) != "FAIL" || cellCSS(c) != "c-failed" {
		t.Errorf("a violation cell must say so: %+v", c)
	}
	if c := cellOf(t, d, "categories", "errors"); c.Status != StatusNotApplicable || cellLabel(c) != "–" {
		t.Errorf("no errors check covers categories in the test catalogue: %+v", c)
	}
}

func TestPercentileNearestRank(t *testing.T) {
	ds := []time.Duration{1, 2, 3, 4}
	if percentile(ds, 50) != 2 || percentile(ds, 95) != 4 || percentile(nil, 50) != 0 || percentile(ds[:1], 95) != 1 {
		t.Error("nearest-rank percentiles are wrong")
	}
}

// A cell never calls a check that judged nothing there a pass, nor a
// configuration error a contract violation.
func TestCoverageCellsSayNotJudgedAndSetup(t *testing.T) {
	schema := fakeSpec{text: "SCHEMA-001 responses match their schemas", state: types.SpecStatePassed, labels: []string{"SCHEMA-001"},
		exchanges: []evidence.Exchange{answer("/api/v2/bills", 200, `[{"_id":"b1"}]`, time.Millisecond), answer("/api/v2/list/categories", 200, `[]`, time.Millisecond)},
		findings: []evidence.Finding{
			{Endpoint: "bills", Expected: "valid", Observed: "0 schema errors", OK: true},
			{Endpoint: "categories", Expected: "valid", Observed: "200", OK: true, Facts: map[string]string{NotJudgedFact: "an empty list: no item to validate"}},
		}}
	d := Build(ginkgoReport(t, append(allPassing("SCHEMA-001"), schema)...), testCatalogue(t), liveRun(), nil, nil)
	if c := cellOf(t, d, "categories", "schemas"); c.Status != StatusNotJudged || cellLabel(c) != "not judged" {
		t.Errorf("an empty list's cell: %+v (%s), want not judged", c, cellLabel(c))
	}
	if c := cellOf(t, d, "bills", "schemas"); c.Status != StatusPassed {
		t.Errorf("bills/schemas: %+v", c)
	}
	setup := Cell{Status: StatusFailed, Classification: ClassConfigurationError}
	if cellLabel(setup) != "setup" || cellCSS(setup) != "c-setup" {
		t.Errorf("a configuration error's cell reads %q (%s)", cellLabel(setup), cellCSS(setup))
	}
}

// A failure on a path that is no catalogue endpoint (ERR-006's unknown
// route) shows in the requirement's cells: it belongs to none of them.
func TestCoverageShowsAFailureOnNoCatalogueEndpoint(t *testing.T) {
	s := fakeSpec{text: "AUTH-001 a valid token is accepted", state: types.SpecStateFailed, msg: "1 violation(s)",
		exchanges: []evidence.Exchange{answer("/api/v2/bills", 200, "[]", time.Millisecond)},
		findings: []evidence.Finding{
			{Endpoint: "bills", Expected: "200", Observed: "200", OK: true},
			{Endpoint: "/api/v2/conformance-check/no-such-route", Expected: "a body that explains", Observed: "404", OK: false},
		}}
	d := Build(ginkgoReport(t, append(allPassing("AUTH-001"), s)...), testCatalogue(t), liveRun(), nil, nil)
	if c := cellOf(t, d, "bills", "auth"); c.Status != StatusFailed {
		t.Errorf("bills/auth = %+v, want the requirement's failure shown", c)
	}
}
