package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// noTable is the number value of an order that has no table.
const noTable = "noTable"

// fixedNoTableNumber is the one table number every unpaid noTable order
// gets with fault notable-unpaid-fixed-number.
const fixedNoTableNumber = "100000"

// order is a placed order, kept per tenant for the run.
type order struct {
	ID        string
	Number    any // int, or a string: "noTable" or a generated number
	PlanID    *string
	Paid      bool
	Lines     []orderLine
	CreatedAt time.Time
}

type orderLine struct {
	ProductID string
	Quantity  int
}

// orderJSON is the 200 answer of create order.
type orderJSON struct {
	ID        string  `json:"_id"`
	Number    any     `json:"number"`
	PlanID    *string `json:"plan_id"`
	Paid      bool    `json:"paid"`
	CreatedAt string  `json:"createdAt"`
}

// orderRequest is a create-order body after type checks.
type orderRequest struct {
	hasNumber bool
	table     int // > 0 for a table number
	noTable   bool
	plan      string // "" when absent
	paid      bool
	lines     []orderLine
}

// createOrder answers /api/v2/tables/order with the create-order page's
// rules: 400 on validation, 404 for an unknown plan, and the table rules.
func (s *Server) createOrder(t *tenant, body map[string]json.RawMessage) (any, *apiError) {
	out, e := s.placeOrder(t, body)
	if o, ok := out.(orderJSON); ok && e == nil && s.faults.on(variantBareOrderAnswer) {
		// The route page documents no answer body: a Winston that answers
		// with the table number alone (the one field ORDER-003 reads) is
		// within the contract.
		return map[string]any{"number": o.Number}, nil
	}
	if o, ok := out.(orderJSON); ok && e == nil && s.faults.on(faultOrderNumberElsewhere) {
		return map[string]any{"placed": true, "table": map[string]any{"no": o.Number}}, nil
	}
	return out, e
}

// placeOrder validates and places an order, answering with the order.
func (s *Server) placeOrder(t *tenant, body map[string]json.RawMessage) (any, *apiError) {
	req, e := s.parseOrder(t, body)
	if e != nil {
		return nil, e
	}
	// With fault unknown-plan-new-table only an existing table (or
	// noTable) checks the plan.
	checksPlan := !s.faults.on(faultUnknownPlanNewTable) || req.noTable || t.hasTable(req.table)
	if req.plan != "" && !t.plans[req.plan] && !s.faults.on(faultUnknownPlan200) && checksPlan {
		status := http.StatusNotFound
		if s.faults.on(variantUnknownPlan400) {
			// Also documented for the route, and as correct: the page
			// says no order is placed, not which status refuses it.
			status = http.StatusBadRequest
		}
		return nil, &apiError{status: status, message: "plan not found: no order was placed"}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case !req.hasNumber:
		// Only reached with fault order-no-validation.
		return t.place(noTable, req), nil
	case req.noTable:
		return s.placeNoTable(t, req)
	}
	if s.faults.on(faultOrder500) {
		return nil, &apiError{status: http.StatusInternalServerError, message: "the order could not be placed"}
	}
	for i := range t.tables {
		if t.tables[i].Number == req.table {
			// inferred: table numbers are unique across a venue's plans,
			// so the order goes to the table whatever plan_id says, and
			// an occupied table takes more orders.
			t.tables[i].Status = "occupied"
			req.plan = t.tables[i].PlanID
			return t.place(req.table, req), nil
		}
	}
	if req.plan == "" {
		return nil, badField("plan_id", "plan_id is required: table %d does not exist and is created on plan_id", req.table)
	}
	t.tableSeq++
	t.tables = append(t.tables, table{
		ID:     fmt.Sprintf("7462%02x%018x", t.num, t.tableSeq),
		Number: req.table, Status: "occupied", PlanID: req.plan,
	})
	return t.place(req.table, req), nil
}

// placeNoTable applies the noTable rules. A paid one is placed; for an
// unpaid one the docs disagree, and Options.NoTableRule picks the page.
func (s *Server) placeNoTable(t *tenant, req orderRequest) (any, *apiError) {
	if req.paid {
		if s.faults.on(faultNoTableRejectPaid) {
			return nil, badField("paid", "a noTable order must not be paid")
		}
		return t.place(noTable, req), nil
	}
	switch {
	case s.faults.on(faultNoTableNoNumber):
		return t.place(noTable, req), nil
	case s.faults.on(faultNoTableFixedNumber):
		return t.place(fixedNoTableNumber, req), nil
	case s.faults.on(variantNumericNoTable):
		// The route page's rule, with the 6-character number sent as
		// a JSON integer, as table numbers are elsewhere.
		t.noTableSeq++
		return t.place(100000+37*int64(t.noTableSeq), req), nil
	case s.opts.NoTableRule == NoTableGuide && !s.faults.on(faultOrderNumberElsewhere):
		// (With fault order-number-elsewhere the route page's rule
		// holds, so that ORDER-003 gets a 200 to read.)
		return nil, badField("paid", "a noTable order must be paid")
	case req.plan == "":
		return nil, badField("plan_id", "plan_id is required for an unpaid noTable order")
	}
	// The route page says the number is random; the sandbox counts in
	// base 36 from "100000" so recordings stay identical (inferred).
	t.noTableSeq++
	return t.place(strconv.FormatInt(36*36*36*36*36+int64(t.noTableSeq), 36), req), nil
}

// hasTable reports whether the tenant has a table with this number.
func (t *tenant) hasTable(number int) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, tb := range t.tables {
		if tb.Number == number {
			return true
		}
	}
	return false
}

// place records the order; t.mu is held.
func (t *tenant) place(number any, req orderRequest) orderJSON {
	t.orderSeq++
	o := order{
		ID:     fmt.Sprintf("6f72%02x%018x", t.num, t.orderSeq),
		Number: number, Paid: req.paid, Lines: req.lines, CreatedAt: t.now,
	}
	if req.plan != "" {
		plan := req.plan
		o.PlanID = &plan
	}
	t.orders = append(t.orders, o)
	return orderJSON{ID: o.ID, Number: o.Number, PlanID: o.PlanID, Paid: o.Paid, CreatedAt: o.CreatedAt.Format(time.RFC3339)}
}

// parseOrder checks the fields' types; the rules that depend on the
// tenant's plans and tables come after.
func (s *Server) parseOrder(t *tenant, body map[string]json.RawMessage) (orderRequest, *apiError) {
	var req orderRequest
	if e := unknownField(body, "", "number", "plan_id", "paid", "products"); e != nil {
		return req, e
	}
	numberHelp := `number must be a table number (an integer of 1 or more) or "noTable"`
	if raw, ok := body["number"]; ok {
		req.hasNumber = true
		raw = bytes.TrimSpace(raw)
		if len(raw) > 0 && raw[0] == '"' {
			str, e := stringValue(raw, "number")
			if e != nil || str != noTable {
				return req, badField("number", "%s", numberHelp)
			}
			req.noTable = true
		} else {
			n, err := intValue(raw, false)
			if err != nil || n < 1 || n > 1<<31-1 {
				return req, badField("number", "%s", numberHelp)
			}
			req.table = int(n)
		}
	} else if !s.faults.on(faultOrderNoValidation) {
		return req, badField("number", `number is required: a table number or "noTable"`)
	}
	// inferred: an order without "paid" is unpaid, as on a POS where
	// payment follows the order.
	if raw, ok := body["paid"]; ok {
		paid, e := boolValue(raw, "paid")
		if e != nil {
			return req, e
		}
		req.paid = paid
	}
	// inferred: a null plan_id means no plan, as if it were absent.
	if raw, ok := body["plan_id"]; ok && string(bytes.TrimSpace(raw)) != "null" {
		plan, e := stringValue(raw, "plan_id")
		if e != nil || plan == "" {
			return req, badField("plan_id", "plan_id must be a non-empty string")
		}
		req.plan = plan
	}
	if raw, ok := body["products"]; ok {
		lines, e := parseLines(t, raw)
		if e != nil {
			return req, e
		}
		req.lines = lines
	}
	return req, nil
}

// parseLines checks the optional products array: objects with a known
// product_id and a quantity of 1 or more (default 1). inferred: the
// create-order page does not document the line format.
func parseLines(t *tenant, raw json.RawMessage) ([]orderLine, *apiError) {
	var items []json.RawMessage
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '[' || json.Unmarshal(raw, &items) != nil {
		return nil, badField("products", `products must be an array of {"product_id": string, "quantity": integer}`)
	}
	known := map[string]bool{}
	for _, p := range t.products {
		known[p.ID] = true
	}
	lines := make([]orderLine, 0, len(items))
	for i, item := range items {
		at := fmt.Sprintf("products.%d", i)
		obj, e := objectValue(item, at)
		if e != nil {
			return nil, e
		}
		if e := unknownField(obj, at+".", "product_id", "quantity"); e != nil {
			return nil, e
		}
		rawID, ok := obj["product_id"]
		if !ok {
			return nil, badField(at+".product_id", "%s.product_id is required", at)
		}
		id, e := stringValue(rawID, at+".product_id")
		if e != nil {
			return nil, e
		}
		if !known[id] {
			return nil, badField(at+".product_id", "%s.product_id is not a product of this tenant", at)
		}
		line := orderLine{ProductID: id, Quantity: 1}
		if rawQ, ok := obj["quantity"]; ok {
			q, err := intValue(rawQ, false)
			if err != nil || q < 1 || q > 10000 {
				return nil, badField(at+".quantity", "%s.quantity must be an integer from 1 to 10000", at)
			}
			line.Quantity = int(q)
		}
		lines = append(lines, line)
	}
	return lines, nil
}
