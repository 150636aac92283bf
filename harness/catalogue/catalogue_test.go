package catalogue

import (
	"strings"
	"testing"
	"time"
)

func TestDefaultIsValidAndResolves(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.Resolve(time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Fixtures.ModifiedSince; got != "2026-11-20T00:00:00Z" {
		t.Errorf("modifiedSince = %q, want 2026-11-20T00:00:00Z", got)
	}
	order := r.Endpoint("create-order").Request
	if n, ok := order["number"].(int64); !ok || n != 12 {
		t.Errorf("create-order number = %#v, want the number fixture 12", order["number"])
	}
	if got := r.Endpoint("list-bills").Request["businessDay"]; got != "2026-11-20" {
		t.Errorf("list-bills businessDay = %#v", got)
	}
	if c.Endpoint("list-bills").Request["businessDay"] != "${businessDay}" {
		t.Error("Resolve changed the original catalogue")
	}
}

func TestValidateNamesEachMistake(t *testing.T) {
	bad := `version: 1
endpoints:
  - {id: a, path: /v1/a, title: A, source: guessed, request: {}, schema: ""}
  - {id: a, path: /api/v2/b, title: B, source: docs, request: {}, schema: b.json, paged: true}
fixtures: {}
requirements:
  - {id: auth-1, title: t, must: m, family: auth, source: docs}
  - {id: AUTH-002, title: t, must: m, family: nope, source: docs, endpoints: [zzz]}
`
	_, err := Parse([]byte(bad), "bad.yaml")
	if err == nil {
		t.Fatal("want an error")
	}
	for _, want := range []string{"bad.yaml", "must start with /api/v2/", "schema is empty", "source \"guessed\"", "id is used twice", "needs sortField and large", "id must look like AUTH-001", "family \"nope\"", "endpoint \"zzz\""} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestUnknownFieldAndReference(t *testing.T) {
	if _, err := Parse([]byte("version: 1\nendpointz: []\n"), "x"); err == nil || !strings.Contains(err.Error(), "endpointz") {
		t.Errorf("unknown field: %v", err)
	}
	c, _ := Default()
	c.Endpoints[0].Request = map[string]any{"x": "${nosuch}"}
	if _, err := c.Resolve(time.Now()); err == nil || !strings.Contains(err.Error(), "${nosuch}") {
		t.Errorf("unknown reference: %v", err)
	}
}

// A fixture a request uses that is empty (its line deleted from a copy
// of the catalogue) would be sent as "" and refused with a 400 read as a
// broken contract: it is refused up front, naming the fixture.
func TestAnEmptyFixtureARequestUsesIsRefused(t *testing.T) {
	data := strings.Replace(string(defaultYAML), "  planId: plan-main\n", "", 1)
	c, err := Parse([]byte(data), "mine.yaml")
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	if _, err := c.Resolve(time.Now()); err == nil || !strings.Contains(err.Error(), "fixtures.planId is empty") || !strings.Contains(err.Error(), "create-order") {
		t.Errorf("an empty planId used by create-order's request: %v", err)
	}
}

func TestEndpointsOf(t *testing.T) {
	c, _ := Default()
	if got := len(c.EndpointsOf(c.Requirement("AUTH-001"))); got != len(c.Endpoints) {
		t.Errorf("* expands to %d endpoints, want %d", got, len(c.Endpoints))
	}
	paged := c.EndpointsOf(c.Requirement("LIST-001"))
	if len(paged) != 2 || paged[0].ID != "bills" || paged[1].ID != "list-bills" {
		t.Errorf("paged expands to %v", paged)
	}
}

// The audit's repro: without "paged: true" the list checks had no endpoint
// and passed having judged nothing. The catalogue refuses that up front.
func TestASelectorThatMatchesNoEndpointIsRefused(t *testing.T) {
	data := strings.ReplaceAll(string(defaultYAML), "    paged: true\n", "")
	_, err := Parse([]byte(data), "no-paged.yaml")
	if err == nil {
		t.Fatal("a catalogue with no paged endpoint was accepted, though seven requirements select paged")
	}
	for _, want := range []string{"no-paged.yaml", "requirements[", "(LIST-001)", "endpoint selector [paged] matches no endpoint", "paged: true"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

// A copy of the catalogue that drops mutating: true from the order
// endpoint would let its checks place orders where mutations are off, and
// resend them: it is refused, naming the endpoint and the fix.
func TestAMutatingCheckNeedsAMutatingEndpoint(t *testing.T) {
	data := strings.Replace(string(defaultYAML), "    mutating: true\n", "", 1)
	if data == string(defaultYAML) {
		t.Fatal("the default catalogue has no mutating endpoint to drop")
	}
	_, err := Parse([]byte(data), "trimmed.yaml")
	if err == nil {
		t.Fatal("a catalogue whose order endpoint is not mutating was accepted")
	}
	for _, want := range []string{"trimmed.yaml", "labelled mutating", `endpoint "create-order" is not`, "set mutating: true"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

// Dropping the labels too does not make the order route harmless: an
// endpoint on it must be mutating, whatever the requirements say.
func TestTheOrderRouteIsMutatingWhateverTheLabels(t *testing.T) {
	data := strings.Replace(string(defaultYAML), "    mutating: true\n", "", 1)
	data = strings.ReplaceAll(data, "labels: [mutating, disputed]", "labels: [disputed]")
	data = strings.ReplaceAll(data, "    labels: [mutating]\n", "")
	_, err := Parse([]byte(data), "unlabelled.yaml")
	if err == nil || !strings.Contains(err.Error(), "/api/v2/tables/order creates orders: set mutating: true") {
		t.Errorf("a catalogue with an unmarked order route and no mutating labels: %v", err)
	}
	// Written another way that a server may take for the same route.
	for _, p := range []string{"/api/v2/tables/order/", "/api/v2/Tables/Order", "/api/v2/tables//order", "/api/v2/tables/%6Frder",
		"/api/v2/tables/%256Frder", "/api/v2/tables/./order", "/api/v2/x/../tables/order", "/api/v2/tables/order;v=1", "/api/v2/tables/order?x=1",
		`/api/v2/tables\order`, "/api/v2/tables%5Corder", "/api/v2/table\u017f/order", "/api/v2/tables/order.", "/api/v2/tables/order%20"} {
		other := strings.Replace(data, "path: /api/v2/tables/order\n", "path: "+p+"\n", 1)
		if other == data {
			t.Fatal("the fixture no longer has the order route's path line")
		}
		if _, err := Parse([]byte(other), "other-spelling.yaml"); err == nil || !strings.Contains(err.Error(), "creates orders: set mutating: true") {
			t.Errorf("the order route as %s without mutating: %v", p, err)
		}
	}
	for _, p := range []string{"/api/v2/tables", "/api/v2/tables/orders", "/api/v2/tables/order-list"} {
		if CreatesData(p) {
			t.Errorf("%s is not the order route", p)
		}
	}
}

// TestNoMustRestsOnWhatTheContractLeavesOpen pins the requirements whose
// fact the contract gives only as good practice ("should"), as partly
// true ("almost all") or not at all: a MUST there would fail a correct
// Winston on the suite's opinion, so they are advisory.
func TestNoMustRestsOnWhatTheContractLeavesOpen(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"STRUCT-006", "ERR-007", "ERR-008"} {
		r := c.Requirement(id)
		if r == nil {
			t.Fatalf("%s is not in the catalogue", id)
		}
		if r.Level != LevelShould || strings.Contains(r.Must, "MUST") {
			t.Errorf("%s: level %q, %q: want an advisory SHOULD", id, r.Level, r.Must)
		}
	}
	if r := c.Requirement("STRUCT-005"); r.Source != SourceInferred {
		t.Errorf("STRUCT-005 source %q: the introduction names only the request's Content-Type, so the answer's is inferred", r.Source)
	}
}

// TestNoMustPinsAStatusTheContractLeavesOpen: where the contract says
// only that a request is refused (a 4xx, never a 2xx or 5xx), the
// statement must not pin one code; the checks behind them use Expect4xx.
func TestNoMustPinsAStatusTheContractLeavesOpen(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"ERR-001", "ERR-002", "ERR-003", "BILL-001", "BILL-002"} {
		r := c.Requirement(id)
		if r == nil {
			t.Fatalf("%s is not in the catalogue", id)
		}
		if strings.Contains(r.Must, "MUST get 400") || !strings.Contains(r.Must, "4xx") {
			t.Errorf("%s: %q: want a 4xx, not one pinned status", id, r.Must)
		}
	}
	if r := c.Requirement("ERR-005"); !strings.Contains(r.Must, "404 or 400") {
		t.Errorf("ERR-005: %q: an unknown plan may get either documented error status", r.Must)
	}
}

// A misspelt key of a catalogue is named with its line, where it is, and
// the key meant, in one problem, not as two halves of yaml's message.
func TestAMisspeltKeyIsNamedWithTheKeyMeant(t *testing.T) {
	data := strings.Replace(string(defaultYAML), "  businessDay:", "  busnessDay:", 1)
	_, err := Parse([]byte(data), "mine.yaml")
	if err == nil {
		t.Fatal("a misspelt fixture was accepted")
	}
	msg := err.Error()
	for _, want := range []string{"mine.yaml", "line ", "busnessDay", "did you mean businessDay"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the error lacks %q: %s", want, msg)
		}
	}
	if strings.Contains(msg, "unmarshal errors:;") || strings.Contains(msg, "catalogue.Fixtures") {
		t.Errorf("yaml's own wording, or a Go type, reaches the user: %s", msg)
	}
}

// Each fixture a check reads, left out of a copy, is refused up front
// with the requirements that read it; a copy without those requirements
// needs no such fixture.
func TestCheckFixturesNamesEachMissingOne(t *testing.T) {
	for _, c := range []struct{ line, want string }{
		{"  planId: plan-main\n", "fixtures.planId is empty"},
		{"  tableNumber: 12\n", "fixtures.tableNumber is 0"},
		{"  wrongKey: wrong-key-fixture-00000000000000\n", "fixtures.wrongKey is empty (or missing), and AUTH-006, AUTH-008 read it"},
		{"  unknownPlanId: plan-does-not-exist\n", "fixtures.unknownPlanId is empty (or missing), and ERR-005 read it"},
	} {
		data := strings.Replace(string(defaultYAML), c.line, "", 1)
		cat, err := Parse([]byte(data), "mine.yaml")
		if err != nil {
			t.Fatalf("parse without %q: %v", c.line, err)
		}
		if err := cat.CheckFixtures(time.Now()); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("without %q: %v", strings.TrimSpace(c.line), err)
		}
	}
	cat, _ := Default()
	if err := cat.CheckFixtures(time.Now()); err != nil {
		t.Errorf("the embedded catalogue: %v", err)
	}
}
