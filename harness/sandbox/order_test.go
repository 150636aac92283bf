package sandbox

import (
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
)

const orderPath = "/api/v2/tables/order"

// placed decodes a 200 create-order answer.
func placed(t *testing.T, r result) orderJSON {
	t.Helper()
	expectStatus(t, r, http.StatusOK)
	var raw map[string]any
	if err := json.Unmarshal(r.body, &raw); err != nil {
		t.Fatalf("order answer: %v", err)
	}
	o := orderJSON{ID: raw["_id"].(string), Number: raw["number"], Paid: raw["paid"].(bool), CreatedAt: raw["createdAt"].(string)}
	if p, ok := raw["plan_id"].(string); ok {
		o.PlanID = &p
	}
	if !hex24.MatchString(o.ID) || o.CreatedAt != "2026-11-21T12:00:00Z" {
		t.Errorf("order %s created %s: want a 24-hex id and the sandbox's now", o.ID, o.CreatedAt)
	}
	return o
}

// table returns the status and plan of a table number, "" if absent.
func (h *harness) table(number float64) (string, string) {
	for _, tb := range h.list("/api/v2/tables", `{"limit":1000}`) {
		if tb["number"].(float64) == number {
			return tb["status"].(string), tb["plan_id"].(string)
		}
	}
	return "", ""
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func TestOrderOnAnExistingTableOccupiesIt(t *testing.T) {
	h := newHarness(t, Options{})
	var free float64
	for _, tb := range h.list("/api/v2/tables", "{}") {
		if tb["status"] == "available" {
			free = tb["number"].(float64)
			break
		}
	}
	o := placed(t, h.post(orderPath, `{"number":`+num(free)+`,"plan_id":"plan-main","paid":false}`))
	if o.Number != free || o.Paid {
		t.Errorf("order %+v", o)
	}
	if st, _ := h.table(free); st != "occupied" {
		t.Errorf("table %v is %q after an order", free, st)
	}
	second := placed(t, h.post(orderPath, `{"number":`+num(free)+`,"paid":true}`))
	if second.ID == o.ID {
		t.Error("two orders share an id")
	}
	if second.PlanID == nil || *second.PlanID != planMain {
		t.Error("an order on an existing table without plan_id should report the table's plan")
	}
}

func TestOrderOnAnUnknownTableCreatesItOnThePlan(t *testing.T) {
	h := newHarness(t, Options{})
	expectField(t, h.post(orderPath, `{"number":77,"paid":false}`), "plan_id")
	if st, _ := h.table(77); st != "" {
		t.Fatal("a refused order created a table")
	}
	product := h.list("/api/v2/list/products", `{"limit":1}`)[0]["_id"].(string)
	o := placed(t, h.post(orderPath, `{"number":77,"plan_id":"plan-terrace","paid":false,"products":[{"product_id":"`+product+`","quantity":2}]}`))
	if o.Number != float64(77) || o.PlanID == nil || *o.PlanID != planTerrace {
		t.Errorf("order %+v", o)
	}
	if st, plan := h.table(77); st != "occupied" || plan != planTerrace {
		t.Errorf("table 77: %q on %q, want occupied on plan-terrace", st, plan)
	}
	// Tenant 2 does not see tenant 1's new table.
	r := h.do(call{path: "/api/v2/tables", body: `{"limit":1000}`, auth: validToken(DefaultKey2)})
	var tables []table
	if err := json.Unmarshal(r.body, &tables); err != nil {
		t.Fatal(err)
	}
	for _, tb := range tables {
		if tb.Number == 77 {
			t.Error("tenant 2 sees tenant 1's new table")
		}
	}
}

func TestOrderOnAnUnknownPlanIs404AndPlacesNothing(t *testing.T) {
	h := newHarness(t, Options{})
	r := h.post(orderPath, `{"number":88,"plan_id":"plan-does-not-exist","paid":false}`)
	expectStatus(t, r, http.StatusNotFound)
	if e := errorOf(t, r); e.Message == "" || e.Field != "" {
		t.Errorf("404 body %+v: want error and message only", e)
	}
	if st, _ := h.table(88); st != "" {
		t.Error("an order on an unknown plan created a table")
	}
	expectStatus(t, h.post(orderPath, `{"number":"noTable","plan_id":"nope","paid":true}`), http.StatusNotFound)
}

func TestNoTableOrders(t *testing.T) {
	guide := newHarness(t, Options{})
	o := placed(t, guide.post(orderPath, `{"number":"noTable","paid":true}`))
	if o.Number != noTable || o.PlanID != nil || !o.Paid {
		t.Errorf("paid noTable order: %+v", o)
	}
	expectField(t, guide.post(orderPath, `{"number":"noTable","plan_id":"plan-main","paid":false}`), "paid")
	expectField(t, guide.post(orderPath, `{"number":"noTable"}`), "paid")

	route := newHarness(t, Options{NoTableRule: NoTableRoute})
	expectField(t, route.post(orderPath, `{"number":"noTable","paid":false}`), "plan_id")
	first := placed(t, route.post(orderPath, `{"number":"noTable","plan_id":"plan-main","paid":false}`))
	second := placed(t, route.post(orderPath, `{"number":"noTable","plan_id":"plan-main","paid":false}`))
	for _, o := range []orderJSON{first, second} {
		s, ok := o.Number.(string)
		if !ok || len(s) != 6 {
			t.Errorf("unpaid noTable order number %v: want a 6-character string", o.Number)
		}
	}
	if first.Number == second.Number {
		t.Error("two unpaid noTable orders got the same number")
	}
	if first.Number != "100001" {
		t.Errorf("first generated number %v: want the deterministic 100001", first.Number)
	}
	placed(t, route.post(orderPath, `{"number":"noTable","paid":true}`))
}

func TestOrderValidation(t *testing.T) {
	h := newHarness(t, Options{})
	cases := []struct{ name, body, field string }{
		{"number missing", `{"plan_id":"plan-main","paid":false}`, "number"},
		{"number null", `{"number":null,"paid":false}`, "number"},
		{"number 0", `{"number":0,"plan_id":"plan-main"}`, "number"},
		{"number fractional", `{"number":1.5,"plan_id":"plan-main"}`, "number"},
		{"number another string", `{"number":"12","plan_id":"plan-main"}`, "number"},
		{"number an array", `{"number":[12]}`, "number"},
		{"paid a string", `{"number":12,"paid":"yes"}`, "paid"},
		{"plan_id a number", `{"number":12,"plan_id":1}`, "plan_id"},
		{"plan_id empty", `{"number":12,"plan_id":""}`, "plan_id"},
		{"products not an array", `{"number":12,"products":{}}`, "products"},
		{"a product line not an object", `{"number":12,"products":[1]}`, "products.0"},
		{"a product line without id", `{"number":12,"products":[{"quantity":1}]}`, "products.0.product_id"},
		{"an unknown product", `{"number":12,"products":[{"product_id":"nope"}]}`, "products.0.product_id"},
		{"an unknown field", `{"number":12,"table":3}`, "table"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			expectField(t, h.post(orderPath, tc.body), tc.field)
		})
	}
	placed(t, h.post(orderPath, `{"number":12,"plan_id":null}`))
}
