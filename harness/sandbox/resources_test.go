package sandbox

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/winston-conformance/winston-conformance/harness/catalogue"
)

func TestCatalogueExamplesGet200(t *testing.T) {
	cat, err := catalogue.Default()
	if err != nil {
		t.Fatal(err)
	}
	resolved, err := cat.Resolve(DefaultNow)
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, Options{})
	for _, ep := range resolved.Endpoints {
		body, err := json.Marshal(ep.Request)
		if err != nil {
			t.Fatal(err)
		}
		r := h.post(ep.Path, string(body))
		if r.status != http.StatusOK {
			t.Errorf("%s: example %s -> %d %s", ep.ID, body, r.status, r.body)
		}
		if ep.Large != nil {
			large, _ := json.Marshal(ep.Large)
			if n := len(h.list(ep.Path, string(large))); n != DefaultLimit {
				t.Errorf("%s: large query %s holds %d items in the default page, want %d", ep.ID, large, n, DefaultLimit)
			}
		}
	}
}

func TestListShapes(t *testing.T) {
	h := newHarness(t, Options{})
	cases := []struct {
		path   string
		fields []string
		min    int
	}{
		{"/api/v2/list/revenueGroups", []string{"_id", "name"}, 3},
		{"/api/v2/list/categories", []string{"_id", "name", "revenueGroup_id", "parent_id"}, 8},
		{"/api/v2/categories/vatList", []string{"category_id", "vatRate", "revenueGroup_id"}, 8},
		{"/api/v2/list/products", []string{"_id", "name", "price", "category_id", "type"}, 30},
		{"/api/v2/tables", []string{"_id", "number", "status", "plan_id"}, 30},
	}
	for _, tc := range cases {
		items := h.list(tc.path, "{}")
		if len(items) < tc.min {
			t.Errorf("%s: %d items, want at least %d", tc.path, len(items), tc.min)
		}
		for _, it := range items {
			for _, f := range tc.fields {
				if _, ok := it[f]; !ok {
					t.Fatalf("%s: item %v lacks %q", tc.path, it, f)
				}
			}
			if id, ok := it["_id"].(string); ok && !hex24.MatchString(id) {
				t.Fatalf("%s: id %q is not 24 hex", tc.path, id)
			}
		}
	}
}

func TestSeededCatalogueRelations(t *testing.T) {
	h := newHarness(t, Options{})
	cats := h.list("/api/v2/list/categories", "{}")
	catIDs, topLevel, children := map[string]bool{}, 0, 0
	for _, c := range cats {
		catIDs[c["_id"].(string)] = true
	}
	for _, c := range cats {
		if p, ok := c["parent_id"].(string); ok {
			children++
			if !catIDs[p] {
				t.Errorf("category %v has an unknown parent", c["name"])
			}
		} else {
			topLevel++
		}
	}
	if topLevel == 0 || children == 0 {
		t.Errorf("categories: %d top-level, %d children; want both", topLevel, children)
	}
	types := map[string]int{}
	for _, p := range h.list("/api/v2/list/products", "{}") {
		types[p["type"].(string)]++
		if !catIDs[p["category_id"].(string)] {
			t.Errorf("product %v has an unknown category", p["name"])
		}
	}
	if types["product"] == 0 || types["option"] == 0 || types["menu"] == 0 {
		t.Errorf("product types %v: want product, option and menu", types)
	}
	rates := map[float64]bool{}
	nullGroup := false
	for _, v := range h.list("/api/v2/categories/vatList", "{}") {
		rates[v["vatRate"].(float64)] = true
		nullGroup = nullGroup || v["revenueGroup_id"] == nil
	}
	if !rates[9] || !rates[21] || !nullGroup {
		t.Errorf("VAT list: rates %v, a null revenue group %v; want 9, 21 and a null group", rates, nullGroup)
	}
	plans := map[string]int{}
	statuses := map[string]int{}
	for _, tb := range h.list("/api/v2/tables", "{}") {
		plans[tb["plan_id"].(string)]++
		statuses[tb["status"].(string)]++
	}
	if plans[planMain] != 20 || plans[planTerrace] != 10 || statuses["occupied"] == 0 || statuses["available"] == 0 {
		t.Errorf("tables: plans %v, statuses %v", plans, statuses)
	}
}

func TestListsSortLimitAndRefuseUnknownFields(t *testing.T) {
	h := newHarness(t, Options{})
	sorts := map[string][]string{
		"/api/v2/list/revenueGroups": {"_id", "name"},
		"/api/v2/list/categories":    {"_id", "name", "revenueGroup_id", "parent_id"},
		"/api/v2/categories/vatList": {"category_id", "vatRate", "revenueGroup_id"},
		"/api/v2/list/products":      {"_id", "name", "price", "category_id", "type"},
		"/api/v2/tables":             {"_id", "number", "status", "plan_id"},
	}
	for path, fields := range sorts {
		for _, f := range fields {
			got := h.list(path, `{"sort":{"`+f+`":-1}}`)
			for i := 1; i < len(got); i++ {
				if compareJSON(got[i-1][f], got[i][f]) < 0 {
					t.Fatalf("%s sort %s -1: out of order at %d", path, f, i)
				}
			}
		}
		if n := len(h.list(path, `{"limit":2,"skip":1}`)); n != 2 {
			t.Errorf("%s limit 2: %d items", path, n)
		}
		expectField(t, h.post(path, `{"sort":{"createdAt":1}}`), "sort.createdAt")
		expectField(t, h.post(path, `{"filter":{}}`), "filter")
		expectField(t, h.post(path, `{"limit":0}`), "limit")
	}
}
