package suites

import (
	"fmt"
	"slices"
	"strings"

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
		"SCHEMA-001": {Run: func(ctx SpecContext, t *T) {
			t.Each(ctx, t.Exercised(), func(ep catalogue.Endpoint) {
				resp := t.Post(ctx, ep, ep.Request)
				if !t.ExpectStatus(ep.ID, resp, 200) {
					return
				}
				errs, err := t.Env().Schemas.Validate(ep.Schema, resp.Body)
				if err != nil {
					t.Observe(ep.ID, false, "a JSON body to validate against schemas/"+ep.Schema, resp)
					return
				}
				t.Record(evidence.Finding{Endpoint: ep.ID, OK: len(errs) == 0, Expected: "valid against schemas/" + ep.Schema,
					Observed: fmt.Sprintf("%d schema errors", len(errs)), SchemaErrors: schema.FormatErrors(errs)})
				if shape, err := report.ObserveShape(resp.Body); err == nil {
					t.AddShape(ep.ID, shape)
				}
			})
		}},
		"LIST-001": {Run: func(ctx SpecContext, t *T) {
			t.Each(ctx, t.Exercised(), func(ep catalogue.Endpoint) {
				resp := t.Post(ctx, ep, With(ep.Large, "limit", 3))
				if items, ok := listOf(t, ep.ID, resp); ok {
					t.Observe(ep.ID+" (limit 3)", len(items) <= 3, fmt.Sprintf("at most 3 items; got %d", len(items)), resp)
				}
			})
		}},
		"LIST-002": {Run: func(ctx SpecContext, t *T) {
			t.Each(ctx, t.Exercised(), func(ep catalogue.Endpoint) {
				plain := t.Post(ctx, ep, With(ep.Large, "limit", nil))
				got, ok := listOf(t, ep.ID+" (no limit)", plain)
				switch {
				case !ok:
				case len(got) >= 100:
					t.Observe(ep.ID, len(got) == 100, fmt.Sprintf("at most 100 items without limit (the default page is 100); got %d", len(got)), plain)
				default:
					// A short page is right only when nothing more
					// matches: ask for one item past it.
					more, ok := listOf(t, fmt.Sprintf("%s (limit %d)", ep.ID, len(got)+1), t.Post(ctx, ep, With(ep.Large, "limit", len(got)+1)))
					if ok {
						t.Observe(ep.ID, len(more) <= len(got), fmt.Sprintf("a page under 100 only when no more items match; got %d without limit, and limit %d gave %d", len(got), len(got)+1, len(more)), plain)
					}
				}
			})
		}},
		"LIST-003": {Run: func(ctx SpecContext, t *T) {
			t.Each(ctx, t.Exercised(), func(ep catalogue.Endpoint) {
				sorted := With(ep.Large, "sort", map[string]any{ep.SortField: 1})
				whole, ok1 := listOf(t, ep.ID+" (skip 0, limit 20)", t.Post(ctx, ep, With(sorted, "limit", 20)))
				page := t.Post(ctx, ep, With(sorted, "limit", 10, "skip", 10))
				second, ok2 := listOf(t, ep.ID+" (skip 10, limit 10)", page)
				if ok1 && ok2 {
					want := ids(whole[min(10, len(whole)):])
					t.Observe(ep.ID, slices.Equal(ids(second), want), "skip 10 to give items 11-20 of the same query: "+strings.Join(want, ","), page)
				}
			})
		}},
		"LIST-004": {Run: func(ctx SpecContext, t *T) {
			t.Each(ctx, t.Exercised(), func(ep catalogue.Endpoint) {
				for _, dir := range []int{1, -1} {
					resp := t.Post(ctx, ep, With(ep.Large, "sort", map[string]any{ep.SortField: dir}, "limit", 50))
					if items, ok := listOf(t, ep.ID, resp); ok {
						bad := firstUnordered(items, ep.SortField, dir)
						t.Observe(fmt.Sprintf("%s (sort %s %d)", ep.ID, ep.SortField, dir), bad == "", "items ordered by "+ep.SortField+bad, resp)
					}
				}
			})
		}},
	}
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

func ids(items []map[string]any) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = idOf(it)
	}
	return out
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
