package sandbox

import (
	"net/http"
	"regexp"
	"sort"
	"testing"
	"time"
)

var hex24 = regexp.MustCompile(`^[0-9a-f]{24}$`)

func TestSeededBillsFollowTheDataRules(t *testing.T) {
	for _, tc := range []struct {
		num, perDay int
	}{{1, billsPerDayTenant1}, {2, billsPerDayTenant2}} {
		tn := newTenant(tc.num, "k", DefaultNow, tc.perDay)
		perDay := map[string]int{}
		failed := 0
		for _, b := range tn.bills {
			perDay[b.BusinessDay]++
			if !hex24.MatchString(b.ID) {
				t.Fatalf("bill id %q is not 24 lowercase hex", b.ID)
			}
			if b.ModifiedAt.Before(b.CreatedAt) || b.ModifiedAt.After(DefaultNow) {
				t.Fatalf("bill %s: createdAt %v, modifiedAt %v, now %v", b.ID, b.CreatedAt, b.ModifiedAt, DefaultNow)
			}
			if b.CreatedAt.Format(dayLayout) != b.BusinessDay {
				t.Fatalf("bill %s: businessDay %s, createdAt %v", b.ID, b.BusinessDay, b.CreatedAt)
			}
			var lines, paid int64
			for _, l := range b.Products {
				lines += int64(l.Price*100+0.5) * int64(l.Quantity)
			}
			for _, p := range b.Payments {
				if p.Status == "complete" {
					paid += int64(p.Amount*100 + 0.5)
				} else {
					failed++
				}
			}
			if lines != b.TotalCents || paid != b.TotalCents {
				t.Fatalf("bill %s: total %d cents, lines %d, complete payments %d", b.ID, b.TotalCents, lines, paid)
			}
		}
		days := make([]string, 0, len(perDay))
		for d := range perDay {
			days = append(days, d)
		}
		sort.Strings(days)
		if len(days) != billDays || days[0] != "2026-11-14" || days[len(days)-1] != "2026-11-21" {
			t.Fatalf("tenant %d: business days %v, want 2026-11-14..2026-11-21", tc.num, days)
		}
		for _, d := range days[:len(days)-2] {
			if perDay[d] != tc.perDay {
				t.Errorf("tenant %d: %s has %d bills, want %d", tc.num, d, perDay[d], tc.perDay)
			}
		}
		if perDay["2026-11-21"] == 0 || perDay["2026-11-21"] >= tc.perDay/2 {
			t.Errorf("tenant %d: the day of now has %d bills: want only those until noon", tc.num, perDay["2026-11-21"])
		}
		if failed == 0 {
			t.Errorf("tenant %d: no failed payment attempt anywhere", tc.num)
		}
	}
}

func TestBillsIntroductionExampleAndDefaultWindow(t *testing.T) {
	h := newHarness(t, Options{})
	got := h.list("/api/v2/bills", `{"sort":{"createdAt":1},"limit":5}`)
	if len(got) != 5 {
		t.Fatalf("limit 5: %d bills", len(got))
	}
	all := h.list("/api/v2/bills", `{"limit":1000}`)
	earliest := DefaultNow.Add(-48 * time.Hour)
	for _, b := range all {
		m, _ := time.Parse(time.RFC3339, b["modifiedAt"].(string))
		if m.Before(earliest) {
			t.Fatalf("/bills without filter lists a bill modified at %v, before now-48h", m)
		}
	}
	if len(all) <= DefaultLimit {
		t.Fatalf("/bills without filter holds %d bills; the page-size check needs more than %d", len(all), DefaultLimit)
	}
	if n := len(h.list("/api/v2/bills", `{}`)); n != DefaultLimit {
		t.Errorf("default page: %d, want %d", n, DefaultLimit)
	}
	if n := len(h.list("/api/v2/list/bills", `{"modifiedSince":"2026-11-20T00:00:00Z"}`)); n != DefaultLimit {
		t.Errorf("modifiedSince now-36h: %d bills in the default page, want %d (the catalogue's large query)", n, DefaultLimit)
	}
}

func TestBillsDefaultOrderIsCreatedAtThenID(t *testing.T) {
	h := newHarness(t, Options{})
	got := h.list("/api/v2/list/bills", `{"businessDay":"2026-11-20"}`)
	// A few bills of the day before now are corrected after now, so they
	// do not exist yet.
	if len(got) > billsPerDayTenant1 || len(got) < billsPerDayTenant1-10 {
		t.Fatalf("businessDay 2026-11-20: %d bills, want about %d", len(got), billsPerDayTenant1)
	}
	for i := 1; i < len(got); i++ {
		a, b := got[i-1], got[i]
		if a["createdAt"].(string) > b["createdAt"].(string) ||
			a["createdAt"] == b["createdAt"] && a["_id"].(string) > b["_id"].(string) {
			t.Fatalf("not in createdAt, _id order at %d", i)
		}
	}
}

func TestBillsSortSkipAndLimit(t *testing.T) {
	h := newHarness(t, Options{})
	day := `"businessDay":"2026-11-20"`
	for _, field := range billSortFields {
		for _, dir := range []int{1, -1} {
			got := h.list("/api/v2/list/bills", `{`+day+`,"sort":{"`+field+`":`+itoa(dir)+`}}`)
			for i := 1; i < len(got); i++ {
				c := compareJSON(got[i-1][field], got[i][field])
				if c*dir > 0 {
					t.Fatalf("sort %s %d: out of order at %d: %v then %v", field, dir, i, got[i-1][field], got[i][field])
				}
			}
		}
	}
	// Ties are broken by _id, whatever the natural order.
	week := h.list("/api/v2/bills", `{"sort":{"businessDay":1},"limit":1000}`)
	for i := 1; i < len(week); i++ {
		if week[i-1]["businessDay"] == week[i]["businessDay"] && week[i-1]["_id"].(string) > week[i]["_id"].(string) {
			t.Fatalf("sort businessDay: ties not in _id order at %d", i)
		}
	}
	// Keys apply in their JSON order: total desc first, then createdAt.
	got := h.list("/api/v2/list/bills", `{`+day+`,"sort":{"total":-1,"createdAt":1}}`)
	byTotal := h.list("/api/v2/list/bills", `{`+day+`,"sort":{"createdAt":1,"total":-1}}`)
	if got[0]["_id"] == byTotal[0]["_id"] {
		t.Error("swapping the sort keys did not change the order: key order is ignored")
	}
	if got[0]["total"].(float64) < got[len(got)-1]["total"].(float64) {
		t.Error("total -1 is not the first key")
	}
	full := ids(h.list("/api/v2/list/bills", `{`+day+`,"sort":{"_id":1}}`))
	paged := ids(h.list("/api/v2/list/bills", `{`+day+`,"sort":{"_id":1},"skip":10,"limit":7}`))
	if len(paged) != 7 || paged[0] != full[10] || paged[6] != full[16] {
		t.Errorf("skip 10 limit 7: %v, want %v", paged, full[10:17])
	}
	if n := len(h.list("/api/v2/list/bills", `{`+day+`,"skip":1000}`)); n != 0 {
		t.Errorf("skip past the end: %d bills", n)
	}
	if n := len(h.list("/api/v2/list/bills", `{"modifiedSince":"2026-11-20T00:00:00Z","limit":1000}`)); n <= DefaultLimit {
		t.Errorf("limit 1000: %d bills", n)
	}
}

func TestBillsFilters(t *testing.T) {
	h := newHarness(t, Options{})
	for _, b := range h.list("/api/v2/list/bills", `{"businessDay":"2026-11-17","limit":1000}`) {
		if b["businessDay"] != "2026-11-17" {
			t.Fatalf("businessDay filter let through %v", b["businessDay"])
		}
	}
	since := "2026-11-20T18:00:00Z"
	got := h.list("/api/v2/list/bills", `{"modifiedSince":"`+since+`","limit":1000}`)
	if len(got) == 0 {
		t.Fatal("modifiedSince: no bills")
	}
	for _, b := range got {
		if b["modifiedAt"].(string) < since {
			t.Fatalf("modifiedSince %s let through %v", since, b["modifiedAt"])
		}
	}
	from, to := "2026-11-19T12:00:00Z", "2026-11-20T12:00:00Z"
	got = h.list("/api/v2/list/bills", `{"modifiedAt":{"from":"`+from+`","to":"`+to+`"},"limit":1000}`)
	if len(got) == 0 {
		t.Fatal("modifiedAt: no bills")
	}
	for _, b := range got {
		if m := b["modifiedAt"].(string); m < from || m > to {
			t.Fatalf("modifiedAt window let through %s", m)
		}
	}
	both := h.list("/api/v2/list/bills", `{"businessDay":"2026-11-19","modifiedSince":"`+since+`","limit":1000}`)
	if len(both) == 0 {
		t.Fatal("businessDay 2026-11-19 and modifiedSince: no bills (some are corrected the next day)")
	}
	for _, b := range both {
		if b["businessDay"] != "2026-11-19" || b["modifiedAt"].(string) < since {
			t.Fatalf("filters do not combine: %v %v", b["businessDay"], b["modifiedAt"])
		}
	}
}

func TestBillsValidation(t *testing.T) {
	h := newHarness(t, Options{})
	cases := []struct{ name, path, body, field string }{
		{"/list/bills needs a filter", "/api/v2/list/bills", `{"limit":5}`, ""},
		{"modifiedSince older than 48h", "/api/v2/list/bills", `{"modifiedSince":"2026-11-18T12:00:00Z"}`, "modifiedSince"},
		{"a modifiedAt window over 48h", "/api/v2/list/bills", `{"modifiedAt":{"from":"2026-11-14T00:00:00Z","to":"2026-11-18T00:00:00Z"}}`, "modifiedAt"},
		{"modifiedAt to before from", "/api/v2/bills", `{"modifiedAt":{"from":"2026-11-20T00:00:00Z","to":"2026-11-19T00:00:00Z"}}`, "modifiedAt"},
		{"modifiedAt without to", "/api/v2/bills", `{"modifiedAt":{"from":"2026-11-20T00:00:00Z"}}`, "modifiedAt.to"},
		{"modifiedAt with an unknown member", "/api/v2/bills", `{"modifiedAt":{"from":"2026-11-20T00:00:00Z","to":"2026-11-20T01:00:00Z","tz":"x"}}`, "modifiedAt.tz"},
		{"modifiedAt not an object", "/api/v2/bills", `{"modifiedAt":"2026-11-20"}`, "modifiedAt"},
		{"businessDay not a date", "/api/v2/bills", `{"businessDay":"20-11-2026"}`, "businessDay"},
		{"modifiedSince not RFC 3339", "/api/v2/bills", `{"modifiedSince":"2026-11-20 10:00"}`, "modifiedSince"},
		{"an unknown sort field", "/api/v2/bills", `{"sort":{"price":1}}`, "sort.price"},
		{"a sort value of 0", "/api/v2/bills", `{"sort":{"total":0}}`, "sort.total"},
		{"a sort field twice", "/api/v2/bills", `{"sort":{"total":1,"total":-1}}`, "sort.total"},
		{"a limit over 1000", "/api/v2/bills", `{"limit":1001}`, "limit"},
		{"a limit of 0", "/api/v2/bills", `{"limit":0}`, "limit"},
		{"a negative limit", "/api/v2/bills", `{"limit":-5}`, "limit"},
		{"a fractional limit", "/api/v2/bills", `{"limit":2.5}`, "limit"},
		{"a string limit", "/api/v2/bills", `{"limit":"5"}`, "limit"},
		{"a negative skip", "/api/v2/bills", `{"skip":-1}`, "skip"},
		{"a string skip", "/api/v2/bills", `{"skip":"1"}`, "skip"},
		{"an unknown top-level field", "/api/v2/bills", `{"businessday":"2026-11-20"}`, "businessday"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			expectField(t, h.post(tc.path, tc.body), tc.field)
		})
	}
	expectStatus(t, h.post("/api/v2/list/bills", `{"modifiedSince":"2026-11-19T12:00:00Z"}`), http.StatusOK)
	expectStatus(t, h.post("/api/v2/list/bills", `{"modifiedAt":{"from":"2026-11-14T00:00:00Z","to":"2026-11-16T00:00:00Z"}}`), http.StatusOK)
}

func itoa(n int) string {
	if n < 0 {
		return "-1"
	}
	return "1"
}

// compareJSON orders two decoded JSON values of one field: null first,
// then numbers or strings by value.
func compareJSON(a, b any) int {
	switch {
	case a == nil || b == nil:
		return compareValues(a, b)
	}
	if x, ok := a.(float64); ok {
		return cmpOrdered(x, b.(float64))
	}
	return compareValues(a.(string), b.(string))
}
