package sandbox

import (
	"encoding/json"
	"strconv"
)

// The reporting and ordering resources other than bills. Each takes {} or
// sort/limit/skip (same rules as bills) and answers a JSON array. Their
// natural order is the seeded order: parents before children for
// categories, table number for tables.

func (g revenueGroup) id() string { return g.ID }

func (g revenueGroup) sortValue(field string) any {
	switch field {
	case "_id":
		return g.ID
	case "name":
		return g.Name
	}
	return nil
}

func (c category) id() string { return c.ID }

func (c category) sortValue(field string) any {
	switch field {
	case "_id":
		return c.ID
	case "name":
		return c.Name
	case "revenueGroup_id":
		return c.RevenueGroupID
	case "parent_id":
		return c.ParentID
	}
	return nil
}

// A VAT entry has no _id; its category id stands in for it (the list holds
// one entry per category).
func (v vatEntry) id() string { return v.CategoryID }

func (v vatEntry) sortValue(field string) any {
	switch field {
	case "category_id":
		return v.CategoryID
	case "vatRate":
		return v.VATRate
	case "revenueGroup_id":
		return v.RevenueGroupID
	}
	return nil
}

func (p product) id() string { return p.ID }

func (p product) sortValue(field string) any {
	switch field {
	case "_id":
		return p.ID
	case "name":
		return p.Name
	case "price":
		return p.Price
	case "category_id":
		return p.CategoryID
	case "type":
		return p.Type
	}
	return nil
}

func (t table) id() string { return t.ID }

func (t table) sortValue(field string) any {
	switch field {
	case "_id":
		return t.ID
	case "number":
		return t.Number
	case "status":
		return t.Status
	case "plan_id":
		return t.PlanID
	}
	return nil
}

// listOf is the shared body of the simple list routes.
func listOf[T record](s *Server, body map[string]json.RawMessage, items []T, sortFields ...string) (any, *apiError) {
	q, e := s.parseListQuery(body, sortFields)
	if e != nil {
		return nil, e
	}
	return page(items, q, s.faults.on(faultIgnoreSort)), nil
}

func (s *Server) listRevenueGroups(t *tenant, body map[string]json.RawMessage) (any, *apiError) {
	return listOf(s, body, t.revenueGroups, "_id", "name")
}

func (s *Server) listCategories(t *tenant, body map[string]json.RawMessage) (any, *apiError) {
	return listOf(s, body, t.categories, "_id", "name", "revenueGroup_id", "parent_id")
}

func (s *Server) listVAT(t *tenant, body map[string]json.RawMessage) (any, *apiError) {
	out, e := listOf(s, body, t.vat, "category_id", "vatRate", "revenueGroup_id")
	if entries, ok := out.([]vatEntry); ok && e == nil && s.faults.on(variantVATRateAsText) {
		// The docs give a rate per category, not its name or its form:
		// a rate written as a percentage is within the contract.
		texts := make([]map[string]any, len(entries))
		for i, v := range entries {
			texts[i] = map[string]any{"category_id": v.CategoryID, "vatRate": strconv.FormatFloat(v.VATRate, 'f', -1, 64) + "%", "revenueGroup_id": v.RevenueGroupID}
		}
		return texts, nil
	}
	if entries, ok := out.([]vatEntry); ok && e == nil && s.faults.on(variantVATCategoryID) {
		renamed := make([]map[string]any, len(entries))
		for i, v := range entries {
			renamed[i] = map[string]any{"categoryId": v.CategoryID, "vatRate": v.VATRate, "revenueGroup_id": v.RevenueGroupID}
		}
		return renamed, nil
	}
	return out, e
}

func (s *Server) listProducts(t *tenant, body map[string]json.RawMessage) (any, *apiError) {
	return listOf(s, body, t.products, "_id", "name", "price", "category_id", "type")
}

// listTables copies the tables under the tenant's lock: orders change
// their status and add tables while other requests list them.
func (s *Server) listTables(t *tenant, body map[string]json.RawMessage) (any, *apiError) {
	t.mu.Lock()
	tables := append([]table(nil), t.tables...)
	t.mu.Unlock()
	return listOf(s, body, tables, "_id", "number", "status", "plan_id")
}
