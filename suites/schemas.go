package suites

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL reads best unqualified

	"github.com/winston-conformance/winston-conformance/harness/catalogue"
	"github.com/winston-conformance/winston-conformance/harness/client"
	. "github.com/winston-conformance/winston-conformance/harness/conformance" //nolint:revive // the checks' vocabulary
	"github.com/winston-conformance/winston-conformance/harness/evidence"
	"github.com/winston-conformance/winston-conformance/harness/report"
	"github.com/winston-conformance/winston-conformance/harness/schema"
)

func schemaChecks() map[string]Check {
	return map[string]Check{
		"SCHEMA-001": {Run: checkSchemas},
		"LIST-001": {Run: func(ctx SpecContext, t *T) {
			t.Each(ctx, t.Exercised(), func(ep catalogue.Endpoint) {
				// limit 3 proves nothing unless more than 3 items match.
				probe := t.Post(ctx, ep, With(ep.Large, "limit", 4))
				all, ok := listOf(t, ep.ID+" (limit 4)", probe)
				if !ok || !enough(t, ep.ID+" (limit 4)", len(all), 4, "limit 3", probe) {
					return
				}
				resp := t.Post(ctx, ep, With(ep.Large, "limit", 3))
				if items, ok := listOf(t, ep.ID, resp); ok {
					t.Observe(ep.ID+" (limit 3)", len(items) <= 3, fmt.Sprintf("at most 3 items; got %d", len(items)), resp)
				}
			})
		}},
		"LIST-002": {Run: func(ctx SpecContext, t *T) {
			t.Each(ctx, t.Exercised(), func(ep catalogue.Endpoint) {
				probe := t.Post(ctx, ep, With(ep.Large, "limit", 101))
				more, ok := listOf(t, ep.ID+" (limit 101)", probe)
				if !ok {
					return
				}
				plain := t.Post(ctx, ep, With(ep.Large, "limit", nil))
				got, ok := listOf(t, ep.ID+" (no limit)", plain)
				if !ok {
					return
				}
				after, again := len(more), probe
				if len(more) <= 100 {
					again = t.Post(ctx, ep, With(ep.Large, "limit", 101))
					recount, ok := listOf(t, ep.ID+" (limit 101, again)", again)
					if !ok {
						return
					}
					after = len(recount)
				}
				want, judged := defaultPage(len(more), after)
				if !judged {
					t.TooFew(ep.ID+" (limit 101, twice)", "the same count before and after the page without limit, to judge it",
						fmt.Sprintf("limit 101 gave %d, then %d", len(more), after),
						"run again on a quiet tenant: bills were written between the requests", again)
					return
				}
				t.Observe(ep.ID, len(got) == want, fmt.Sprintf("exactly %d items without limit (the default page is 100; limit 101 gave %d); got %d", want, len(more), len(got)), plain)
				if len(more) < 101 && pageCut(ctx, t, ep, more, after) {
					t.Observe(ep.ID+" (limit 101)", false, fmt.Sprintf("101 items for limit 101 (the guide allows a limit up to 1000) when more match: got %d, twice, and skip %d lists an item that was not among them", len(more), len(more)), probe)
					return
				}
				enough(t, ep.ID+" (limit 101)", len(more), 101, "a default page larger than 100 (or limit is not honoured: see LIST-001)", probe)
			})
		}},
		"LIST-003": {Run: func(ctx SpecContext, t *T) {
			t.Each(ctx, t.Exercised(), func(ep catalogue.Endpoint) {
				sorted := With(ep.Large, "sort", map[string]any{ep.SortField: 1})
				first := t.Post(ctx, ep, With(sorted, "limit", 20))
				whole, ok1 := listOf(t, ep.ID+" (skip 0, limit 20)", first)
				page := t.Post(ctx, ep, With(sorted, "limit", 10, "skip", 10))
				second, ok2 := listOf(t, ep.ID+" (skip 10, limit 10)", page)
				if !ok1 || !ok2 || !enough(t, ep.ID+" (skip 0, limit 20)", len(whole), 11, "skip 10", first) {
					return
				}
				if compareValues(whole[0][ep.SortField], whole[len(whole)-1][ep.SortField]) == 0 {
					// Every item ties on the sort field: any ten of them are
					// "items 11-20", so a skip ignored cannot show.
					t.TooFew(ep.ID+" (skip 0, limit 20)", "items of at least two "+ep.SortField+" values among the first 20, to see where skip 10 starts",
						"all "+strconv.Itoa(len(whole))+" share one "+ep.SortField,
						"point the catalogue's large query (WINSTON_CATALOGUE) at data whose "+ep.SortField+" values differ", first)
					return
				}
				wantIDs, ok1 := stringIDs(t, ep.ID+" (skip 0, limit 20)", whole, first)
				_, ok2 = stringIDs(t, ep.ID+" (skip 10, limit 10)", second, page)
				if ok1 && ok2 {
					problem := skipPageProblem(whole, second, ep.SortField, 10)
					t.Observe(ep.ID, problem == "", "skip 10 to give items 11-20 of the same query ("+strings.Join(wantIDs[10:], ",")+
						"; items that tie on "+ep.SortField+" may come in any order)"+problem, page)
				}
			})
		}},
		"LIST-004": {Run: checkSort},
	}
}

// pageCut reports whether a page of limit 101 that came back with fewer
// items (got, the same count again) was cut short of the limit: the item
// past them (skip) exists and is not one of them. A server that ignores
// skip (LIST-003's to judge) gives an item already listed back, and a
// count that changed between the two asks (bills written meanwhile) says
// nothing: neither is taken for a cut page.
func pageCut(ctx SpecContext, t *T, ep catalogue.Endpoint, got []map[string]any, again int) bool {
	if len(got) != again || len(got) == 0 {
		return false
	}
	past := t.Post(ctx, ep, With(ep.Large, "skip", len(got), "limit", 1))
	rest, ok := listOf(t, ep.ID+fmt.Sprintf(" (skip %d)", len(got)), past)
	if !ok || len(rest) == 0 || idOf(rest[0]) == "" {
		return false
	}
	for _, it := range got {
		if idOf(it) == idOf(rest[0]) {
			return false
		}
	}
	return true
}

// defaultPage is what LIST-002 expects of a page without limit, from the
// count a limit of 101 gave before it and after it: min(count, 100) items
// whatever the count (every one when 100 or fewer match). With 100 or
// fewer, a bill written between the requests changes the count, so the
// page is judged only when both counts agree; over 100 the expectation is
// 100 either way. Only a count over 100 can show a default page larger
// than 100 (LIST-002's other half, judged by the caller).
func defaultPage(before, after int) (want int, judged bool) {
	if before > 100 {
		return 100, true
	}
	return before, before == after
}

// twoRequestsNote says what to look at when a check that compares two
// answers of the same query fails: bills written between the requests
// change what the second one sees.
const twoRequestsNote = "; the two requests may have seen different data (bills written or modified between them): if so, run again on a quiet tenant"

// skipPageProblem judges the page of a query with skip n against the items
// after the first n of the same query without skip, or returns "". Items
// whose sort values tie may come in another order in each answer (a sort
// need not be stable), so each position must hold an item of the same sort
// value; an item that is not the one the longer answer had there is fine
// unless the longer answer had it among the skipped items with a value
// before the boundary's, which means the skip was not applied.
func skipPageProblem(whole, page []map[string]any, field string, n int) string {
	want := whole[min(n, len(whole)):]
	if len(page) != len(want) {
		return fmt.Sprintf("; got %d items, want %d%s", len(page), len(want), twoRequestsNote)
	}
	boundary := want[0][field]
	skipped := map[string]any{}
	for _, it := range whole[:min(n, len(whole))] {
		skipped[idOf(it)] = it[field]
	}
	for i, it := range page {
		if compareValues(it[field], want[i][field]) != 0 {
			return fmt.Sprintf("; item %d has %s %v, item %d of the query without skip has %v%s", i+1, field, it[field], n+i+1, want[i][field], twoRequestsNote)
		}
		if v, was := skipped[idOf(it)]; was && idOf(it) != idOf(want[i]) && compareValues(v, boundary) != 0 {
			return fmt.Sprintf("; item %d (_id %s) is one of the first %d of the query without skip%s", i+1, idOf(it), n, twoRequestsNote)
		}
	}
	return ""
}

// checkSchemas validates each endpoint's 200 answer to its example and,
// for a list, to its large query with the largest page (limit 1000): a
// few items prove little about the rest, and the items a small example
// leaves out (today's open bills, a failed payment) are where a field
// most often goes missing or changes type.
func checkSchemas(ctx SpecContext, t *T) {
	var n counts
	t.Each(ctx, t.Exercised(), func(ep catalogue.Endpoint) {
		resp := t.Post(ctx, ep, ep.Request)
		if validates(t, ep, ep.ID, resp, &n) {
			if shape, err := report.ObserveShape(resp.Body); err == nil {
				t.AddShape(ep.ID, shape)
			}
		}
		if ep.Large != nil {
			validates(t, ep, ep.ID+" (large query, limit 1000)", t.Post(ctx, ep, With(ep.Large, "limit", 1000)), &n)
		}
	})
	if n.validated.Load() == 0 && n.empty.Load() > 0 && n.unusable.Load() == 0 {
		// Every list was empty: the 200s, and an object answer such as
		// the order's, must not pass a check whose point is the items of
		// the lists. (When an answer was not a usable 200, its failed
		// finding says why, an outage or throttling say, and nothing is
		// known of the data.)
		t.TooFew("", "at least one list answer with an item to validate against its schema", "every list answer was empty",
			"point the catalogue's example requests and large queries at data on this target (WINSTON_CATALOGUE), or add data to the environment", nil)
	}
}

// counts are what SCHEMA-001's answers held: list answers with an item
// validated, empty lists, and answers that were not a usable 200.
type counts struct{ validated, empty, unusable atomic.Int32 }

// validates expects a 200 whose body validates against the endpoint's
// schema, recording every schema error and counting the answer in n.
func validates(t *T, ep catalogue.Endpoint, where string, resp *client.Response, n *counts) bool {
	if !readable200(t, where, resp) {
		n.unusable.Add(1)
		return false
	}
	errs, err := t.Env().Schemas.Validate(ep.Schema, resp.Body)
	if err != nil {
		t.Observe(where, false, "a JSON body to validate against schemas/"+ep.Schema, resp)
		return false
	}
	if len(errs) == 0 && emptyList(resp.Body) {
		// [] is valid against any list schema: it shows nothing of the
		// items, so it must not make the check pass on its own.
		t.NotJudged(where, "valid against schemas/"+ep.Schema, resp, "an empty list: no item to validate against the schema")
		n.empty.Add(1)
		return true
	}
	if b := bytes.TrimSpace(resp.Body); len(b) > 0 && b[0] == '[' {
		n.validated.Add(1)
	}
	documented := 0
	for _, e := range errs {
		if !e.Inferred {
			documented++
		}
	}
	observed := fmt.Sprintf("%d schema errors", len(errs))
	if inferred := len(errs) - documented; inferred > 0 {
		// What the schema only infers (a name or a form the docs do
		// not give) is shown, never judged: the docs' rule holds or
		// breaks on the rest.
		observed = fmt.Sprintf("%d schema errors in what the docs give; %d more in what the schema only infers (marked inferred), not judged", documented, inferred)
	}
	t.Record(evidence.Finding{Endpoint: where, OK: documented == 0, Expected: "valid against schemas/" + ep.Schema + " in every documented field",
		Observed: observed, SchemaErrors: schema.FormatErrors(errs)})
	return true
}

// emptyList is true when body is a JSON array with no element.
func emptyList(body []byte) bool {
	b := bytes.TrimSpace(body)
	return len(b) >= 2 && b[0] == '[' && b[len(b)-1] == ']' && len(bytes.TrimSpace(b[1:len(b)-1])) == 0
}

// sortPage is the page LIST-004 judges; sortWider is the longer page whose
// start it must be. More than 100 items match the large query (LIST-002),
// so the wider page reaches past the first.
const sortPage, sortWider = 50, 101

// checkSort asks for the large query sorted each way, one page of 50 and
// one of 101: each page must be in order, and the 50 must be the start of
// the 101 (compared by the sort field's values, so ties in any order
// pass). A server that takes a page first and sorts it after gives pages
// each in order, but not the first 50 of the sorted whole.
func checkSort(ctx SpecContext, t *T) {
	t.Each(ctx, t.Exercised(), func(ep catalogue.Endpoint) {
		for _, dir := range []int{1, -1} {
			sorted := With(ep.Large, "sort", map[string]any{ep.SortField: dir})
			where := fmt.Sprintf("%s (sort %s %d)", ep.ID, ep.SortField, dir)
			resp := t.Post(ctx, ep, With(sorted, "limit", sortPage))
			items, ok := orderedPage(t, where+fmt.Sprintf(", limit %d", sortPage), ep.SortField, dir, resp)
			wide := t.Post(ctx, ep, With(sorted, "limit", sortWider))
			more, okMore := orderedPage(t, where+fmt.Sprintf(", limit %d", sortWider), ep.SortField, dir, wide)
			if !ok || !okMore || !enough(t, where+fmt.Sprintf(", limit %d", sortWider), len(more), sortPage+1, "that the sort comes before the limit", wide) {
				continue
			}
			got, want := fieldValues(items, ep.SortField), fieldValues(more, ep.SortField)
			i := firstDifference(got, want[:sortPage])
			expected := fmt.Sprintf("the limit %d page to be the start of the limit %d page (sort before limit)", sortPage, sortWider)
			if i >= 0 && i < len(got) {
				expected += fmt.Sprintf("; item %d has %s %s, the wider page %s%s", i+1, ep.SortField, got[i], want[i], twoRequestsNote)
			}
			t.Observe(where, i < 0, expected, resp)
		}
	})
}

// orderedPage expects a list whose items are in dir order of field.
func orderedPage(t *T, where, field string, dir int, resp *client.Response) ([]map[string]any, bool) {
	items, ok := listOf(t, where, resp)
	if !ok {
		return nil, false
	}
	if why, thin := unsortable(items, field); thin {
		t.TooFew(where, "at least 2 distinct values of "+field+", to judge the order", why, moreItemsFix, resp)
		return nil, false
	} else if why != "" {
		t.Observe(where, false, why, resp)
		return nil, false
	}
	bad := firstUnordered(items, field, dir)
	t.Observe(where, bad == "", "items ordered by "+field+bad, resp)
	return items, bad == ""
}

// firstDifference returns the first index where a and b differ (a shorter
// slice differs at its end), or -1.
func firstDifference(a, b []string) int {
	for i := range max(len(a), len(b)) {
		if i >= len(a) || i >= len(b) || a[i] != b[i] {
			return i
		}
	}
	return -1
}

// fieldValues returns each item's field as text.
func fieldValues(items []map[string]any, field string) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = fmt.Sprint(it[field])
	}
	return out
}

// listOf expects a 200 whose body is a JSON array of objects.
func listOf(t *T, where string, resp *client.Response) ([]map[string]any, bool) {
	if !t.ExpectStatus(where, resp, 200) {
		return nil, false
	}
	items, err := Items(resp)
	if err != nil {
		t.Observe(where, false, "a JSON array of objects ("+err.Error()+")", resp)
		return nil, false
	}
	return items, true
}

// moreItemsFix says how to give a list check the items it needs.
const moreItemsFix = "set a large query that matches more items on this target in your catalogue (WINSTON_CATALOGUE), or add data to the environment; " +
	"if that much data exists, the target dropped items"

// enough records that a list held too few items to judge rule when it
// holds fewer than need: a rule judged on too few items would pass
// whatever the target does, so the spec fails, as not judged (T.TooFew),
// instead of passing vacuously.
func enough(t *T, where string, n, need int, rule string, resp *client.Response) bool {
	if n >= need {
		return true
	}
	t.TooFew(where, fmt.Sprintf("at least %s, to judge %s", itemCount(need), rule), itemCount(n), moreItemsFix, resp)
	return false
}

// itemCount counts n items in words.
func itemCount(n int) string {
	if n == 1 {
		return "1 item"
	}
	return fmt.Sprintf("%d items", n)
}

// stringIDs returns the items' _id values; an item whose _id is missing
// or not a string is a violation (ids compare as strings, and "" would
// match "").
func stringIDs(t *T, where string, items []map[string]any, resp *client.Response) ([]string, bool) {
	out := make([]string, len(items))
	for i, it := range items {
		id, err := idString(it)
		if err != "" {
			t.Observe(where, false, fmt.Sprintf("every item to have a string _id; item %d %s", i+1, err), resp)
			return nil, false
		}
		out[i] = id
	}
	return out, true
}

// idString reads an item's _id, or says what is wrong with it.
func idString(item map[string]any) (string, string) {
	v, has := item["_id"]
	if !has || v == nil {
		return "", "has none"
	}
	s, ok := v.(string)
	if ok && s != "" {
		return s, ""
	}
	kind := JSONKind(v)
	if ok {
		kind = "an empty string"
	}
	return "", fmt.Sprintf("has _id %v (%s)", v, kind)
}

// unsortable says why items cannot show an order of field, or "": every
// item must hold the field (two missing values compare equal: a
// violation), and at least two distinct values must be present (one value
// is in any order: thin is true, the data is too thin to judge).
func unsortable(items []map[string]any, field string) (why string, thin bool) {
	distinct := map[string]bool{}
	for i, it := range items {
		v, has := it[field]
		if !has || v == nil {
			id, _ := idString(it)
			return fmt.Sprintf("every item to hold the sort field %s; item %d (_id %q) has none", field, i+1, id), false
		}
		distinct[fmt.Sprint(v)] = true
	}
	if len(distinct) < 2 {
		return fmt.Sprintf("%d items, %d distinct values", len(items), len(distinct)), true
	}
	return "", false
}

// firstUnordered names the first pair out of order, or "".
func firstUnordered(items []map[string]any, field string, dir int) string {
	for i := 1; i < len(items); i++ {
		c := compareValues(items[i-1][field], items[i][field])
		if c*dir > 0 {
			return fmt.Sprintf("; items %d and %d are out of order (%v, %v)", i, i+1, items[i-1][field], items[i][field])
		}
	}
	return ""
}
