package sandbox

import (
	"encoding/json"
	"fmt"
	"time"
)

// billWindow is the longest period one bills query may cover (reporting
// guide: at most 2 days).
const billWindow = 48 * time.Hour

// fixedSinceWindow is the window fault bills-modifiedsince-fixed-window
// lists whatever modifiedSince says: the catalogue's own fixture window.
const fixedSinceWindow = 36 * time.Hour

// fewBills is how many bills a query matches at most with fault
// few-bills-default-limit-50: fewer than 100, as on a small tenant.
const fewBills = 80

// laterSinceEmpty is fault bills-later-modifiedsince-empty's limit: a
// modifiedSince later than this before now lists nothing.
const laterSinceEmpty = 24 * time.Hour

// billSortFields are the bill fields a query may sort on.
var billSortFields = []string{"_id", "createdAt", "modifiedAt", "businessDay", "total"}

func (b bill) id() string { return b.ID }

func (b bill) sortValue(field string) any {
	switch field {
	case "_id":
		return b.ID
	case "createdAt":
		return b.CreatedAt
	case "modifiedAt":
		return b.ModifiedAt
	case "businessDay":
		return b.BusinessDay
	case "total":
		return b.TotalCents
	}
	return nil
}

// billJSON is a bill as the API sends it. Total is an any so that the
// schema faults can drop it or turn it into a string.
type billJSON struct {
	ID          string     `json:"_id"`
	BusinessDay string     `json:"businessDay,omitempty"`
	CreatedAt   string     `json:"createdAt"`
	ModifiedAt  string     `json:"modifiedAt,omitempty"`
	Total       any        `json:"total,omitempty"`
	Payments    []payment  `json:"payments"`
	Products    []billLine `json:"products"`
}

// billFilter is the validated filter part of a bills body.
type billFilter struct {
	// given is true when the body named any filter, even one that a
	// fault then ignores: ignoring a filter is not leaving it out.
	given         bool
	businessDay   string
	modifiedSince *time.Time
	from, to      *time.Time
	// none drops every bill (faults that answer [] to a filter with
	// bills).
	none        bool
	onCreatedAt bool
	// sinceExclusive reads modifiedSince as strictly after (a correct
	// variant: the docs do not say which).
	sinceExclusive bool
}

func (f billFilter) match(b bill) bool {
	if f.none {
		return false
	}
	if f.businessDay != "" && b.BusinessDay != f.businessDay {
		return false
	}
	if f.modifiedSince != nil && f.onCreatedAt && b.CreatedAt.Before(*f.modifiedSince) {
		return false
	}
	if f.modifiedSince != nil && !f.onCreatedAt && b.ModifiedAt.Before(*f.modifiedSince) {
		return false
	}
	if f.modifiedSince != nil && f.sinceExclusive && b.ModifiedAt.Equal(*f.modifiedSince) {
		return false
	}
	// inferred: both ends of modifiedAt are inclusive.
	if f.from != nil && (b.ModifiedAt.Before(*f.from) || b.ModifiedAt.After(*f.to)) {
		return false
	}
	return true
}

// listBills answers /api/v2/bills and /api/v2/list/bills. The list route
// needs a filter (reporting guide); the bills route is the introduction's
// example, which has none, so without a filter it lists the bills modified
// in the last 48 hours (inferred: the widest window the guide allows).
func (s *Server) listBills(t *tenant, body map[string]json.RawMessage, requireFilter bool) (any, *apiError) {
	q, e := s.parseListQuery(body, billSortFields, "businessDay", "modifiedSince", "modifiedAt")
	if e != nil {
		return nil, e
	}
	if _, limited := body["limit"]; !limited && s.faults.on(faultUnlimitedEmptyText) {
		return plainEmptyList{}, nil
	}
	f, e := s.parseBillFilter(body)
	if e != nil {
		return nil, e
	}
	if !f.given {
		if requireFilter && !s.faults.on(faultBillsNoFilter) {
			return nil, badField("", "a bills list needs one of businessDay, modifiedSince or modifiedAt")
		}
		if !requireFilter {
			since := s.opts.Now.Add(-billWindow)
			f.modifiedSince = &since
		}
	}
	src := t.bills
	if t.num == 2 && (s.faults.on(faultTenantLeak) || f.businessDay != "" && s.faults.on(faultTenantLeakByDay) || requireFilter && s.faults.on(faultTenantLeakList)) {
		src = s.tenants[0].bills
	}
	var matched []bill
	for _, b := range src {
		if f.match(b) {
			if s.faults.on(variantUnstableTies) {
				// Whole hours: many bills share a createdAt.
				b.CreatedAt = b.CreatedAt.Truncate(time.Hour)
			}
			matched = append(matched, b)
		}
	}
	if s.faults.on(faultFewBillsDefault50) && len(matched) > fewBills {
		// As on a small tenant: the same first bills of every query.
		matched = matched[:fewBills]
	}
	out := make([]billJSON, 0)
	for _, b := range page(matched, q, s.faults.on(faultIgnoreSort)) {
		out = append(out, s.renderBill(b))
	}
	return out, nil
}

// parseBillFilter validates businessDay, modifiedSince and modifiedAt and
// the 2-day window rule. The filters a fault ignores are validated anyway
// and then dropped, so the fault changes exactly one behaviour.
func (s *Server) parseBillFilter(body map[string]json.RawMessage) (billFilter, *apiError) {
	var f billFilter
	for _, name := range []string{"businessDay", "modifiedSince", "modifiedAt"} {
		_, has := body[name]
		f.given = f.given || has
	}
	if raw, ok := body["businessDay"]; ok {
		day, e := stringValue(raw, "businessDay")
		if _, err := time.Parse(dayLayout, day); e != nil || err != nil {
			return f, badField("businessDay", `businessDay must be a date string "YYYY-MM-DD", e.g. "2026-11-20"`)
		}
		latest := s.opts.Now.UTC().AddDate(0, 0, -1).Format(dayLayout)
		switch {
		case s.faults.on(faultBillsLatestDay):
			// The last closed business day, whatever was asked.
			f.businessDay = latest
		case s.faults.on(faultBillsOtherDaysEmpty) && day != latest, s.faults.on(faultBillsLatestDayEmpty) && day == latest:
			f.none = true
		case !s.faults.on(faultBillsIgnoreDay):
			f.businessDay = day
		}
	}
	earliest := s.opts.Now.Add(-billWindow)
	noWindow := s.faults.on(faultBillsNoWindow)
	if raw, ok := body["modifiedSince"]; ok {
		since, e := timeValue(raw, "modifiedSince")
		if e != nil {
			return f, e
		}
		if since.Before(earliest) && !noWindow {
			return f, badField("modifiedSince", "modifiedSince must be %s or later: a bills query covers at most 2 days",
				earliest.Format(time.RFC3339))
		}
		switch {
		case s.faults.on(faultBillsLaterSinceEmpty) && since.After(s.opts.Now.Add(-laterSinceEmpty)), s.faults.on(faultBillsSinceEmpty):
			f.none = true
		case s.faults.on(faultBillsFixedSince):
			// A fixed 36-hour window, whatever was asked.
			fixed := s.opts.Now.Add(-fixedSinceWindow)
			f.modifiedSince = &fixed
		case !s.faults.on(faultBillsIgnoreSince):
			f.modifiedSince = &since
			f.onCreatedAt = s.faults.on(faultSinceOnCreatedAt)
			f.sinceExclusive = s.faults.on(variantSinceExclusive)
		}
	}
	if raw, ok := body["modifiedAt"]; ok {
		obj, e := objectValue(raw, "modifiedAt")
		if e != nil {
			return f, badField("modifiedAt", `modifiedAt must be an object {"from": time, "to": time} of RFC 3339 times`)
		}
		if e := unknownField(obj, "modifiedAt.", "from", "to"); e != nil {
			return f, e
		}
		var ends [2]time.Time
		for i, name := range []string{"from", "to"} {
			r, ok := obj[name]
			if !ok {
				return f, badField("modifiedAt."+name, "modifiedAt.%s is required", name)
			}
			if ends[i], e = timeValue(r, "modifiedAt."+name); e != nil {
				return f, e
			}
		}
		from, to := ends[0], ends[1]
		if to.Before(from) {
			return f, badField("modifiedAt", "modifiedAt.to must not be before modifiedAt.from")
		}
		if to.Sub(from) > billWindow && !noWindow {
			return f, badField("modifiedAt", "modifiedAt covers %s: a bills query covers at most 2 days (48h)", to.Sub(from))
		}
		f.from, f.to = &from, &to
	}
	return f, nil
}

// billTime writes a bill's createdAt: in UTC, or with correct variant
// correct-mixed-time-offsets in UTC for even seconds and, for odd ones,
// half a second later at +01:00 (the venue's zone): seeded times are
// whole seconds, so the shift keeps their order, but comparing the texts
// gets it wrong.
func (s *Server) billTime(at time.Time) string {
	if s.faults.on(variantMixedTimeOffsets) && at.Second()%2 == 1 {
		return at.In(time.FixedZone("", 3600)).Add(500 * time.Millisecond).Format(time.RFC3339Nano)
	}
	return at.UTC().Format(time.RFC3339)
}

func (s *Server) renderBill(b bill) billJSON {
	out := billJSON{
		ID:          b.ID,
		BusinessDay: b.BusinessDay,
		CreatedAt:   s.billTime(b.CreatedAt),
		ModifiedAt:  b.ModifiedAt.UTC().Format(time.RFC3339),
		Total:       money(b.TotalCents),
		Payments:    b.Payments,
		Products:    b.Products,
	}
	if s.faults.on(variantMidnightBusinessDay) {
		// The day as a timestamp at midnight UTC, as a document store
		// writes a date: still the business day D.
		out.BusinessDay = b.BusinessDay + "T00:00:00.000Z"
	}
	if s.faults.on(faultBillsNoFilterFields) {
		// The filters still work; the bills just do not show the
		// fields they filter on (which the docs never say they do).
		out.BusinessDay, out.ModifiedAt = "", ""
	}
	if s.faults.on(faultBillsNoonBusinessDay) {
		// Noon is no day: neither the date nor a timestamp of its start.
		out.BusinessDay = b.BusinessDay + "T12:00:00Z"
	}
	switch {
	case s.faults.on(faultOpenBillsNullTotal) && b.BusinessDay == s.opts.Now.UTC().Format(dayLayout):
		// Today's business day is still open: no total yet.
		out.Total = json.RawMessage("null")
	case s.faults.on(faultDropRequiredField):
		out.Total = nil
	case s.faults.on(faultNumberAsString):
		out.Total = fmt.Sprintf("%d.%02d", b.TotalCents/100, b.TotalCents%100)
	}
	return out
}
