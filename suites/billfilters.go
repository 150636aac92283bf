package suites

import (
	"fmt"
	"net/http"
	"slices"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL reads best unqualified

	"github.com/winston-conformance/winston-conformance/harness/catalogue"
	"github.com/winston-conformance/winston-conformance/harness/client"
	. "github.com/winston-conformance/winston-conformance/harness/conformance" //nolint:revive // the checks' vocabulary
)

// The filter checks judge each filter on two values. On one value alone a
// target that ignored the filter could still pass, when the bills it lists
// anyway (its default window, the last business day) all happen to match
// the fixture. The second value is one the target's own data shows to
// differ: a business day other than the fixture's, a later modifiedSince,
// taken from the bills the first answer or the catalogue's large query
// listed.

// checkBusinessDayFilter lists the fixture's business day, then another
// business day found in the large query: each answer must hold only bills
// of its day. The large query is read first, so that an empty answer for
// a day it showed bills of is judged (the filter dropped them), not taken
// for thin data.
func checkBusinessDayFilter(ctx SpecContext, t *T) {
	for _, ep := range t.Exercised() {
		day := t.Fx.BusinessDay
		probe := t.Post(ctx, ep, With(ep.Large, "limit", 1000))
		items, ok := listOf(t, ep.ID+" (large query, to find another business day)", probe)
		shows := func(d string) seenBy {
			return func(*client.Response) (string, bool) {
				if ok && slices.ContainsFunc(items, func(it map[string]any) bool { v, _ := it["businessDay"].(string); return dayOf(v) == d }) {
					return "the large query", true
				}
				return "", ok
			}
		}
		filterHolds(ctx, t, ep, "businessDay", day, "businessDay", "equal to "+day, shows(day), func(v string) bool { return dayOf(v) == day }, readsDay)
		if !ok {
			continue
		}
		if !slices.ContainsFunc(items, func(it map[string]any) bool { _, ok := it["businessDay"].(string); return ok }) && len(items) > 0 {
			// No bill shows its day: not too few bills, an unreadable
			// field, which the first query has said already.
			continue
		}
		other := otherValue(items, "businessDay", day)
		if other == "" {
			t.TooFew(ep.ID+" (large query)", "bills of a business day other than "+day+", to judge the filter on a second day",
				fmt.Sprintf("%d bills, all of %s or none", len(items), day),
				"set a large query or fixtures.businessDay in your catalogue (WINSTON_CATALOGUE) so that bills of both days are found", probe)
			continue
		}
		filterHolds(ctx, t, ep, "businessDay", other, "businessDay", "equal to "+other, shows(other), func(v string) bool { return dayOf(v) == other }, readsDay)
	}
}

// checkModifiedSinceFilter lists from the fixture's modifiedSince, then
// from a later time, the middle one of the distinct modifiedAt values of
// the first answer: each answer must hold only bills modified at or after
// its time. An empty first answer is judged against the fixture's business
// day, asked only then: bills of that day modified since the time must
// have come.
func checkModifiedSinceFilter(ctx SpecContext, t *T) {
	for _, ep := range t.Exercised() {
		since := t.Fx.ModifiedSince
		// An unreadable fixture stops the spec in sinceHolds before
		// byDay could be asked.
		at, _ := time.Parse(time.RFC3339, since)
		asked := time.Now()
		byDay := func(empty *client.Response) (string, bool) {
			query := "the businessDay " + t.Fx.BusinessDay + " query"
			probe := t.Post(ctx, ep, With(ep.Request, "businessDay", t.Fx.BusinessDay, "limit", 1000))
			// An unanswered, throttled or unreadable probe is recorded
			// as what it is (an outage, throttling, a broken answer):
			// without it, nothing is known about the empty answer.
			items, ok := listOf(t, ep.ID+" ("+query+", to judge an empty answer)", probe)
			if !ok {
				return "", false
			}
			if droppedSince(items, at, answeredBefore(empty, asked, t.Now())) {
				return query, true
			}
			return "", true
		}
		items, _, ok := sinceHolds(ctx, t, ep, since, byDay)
		if !ok {
			continue
		}
		// The distinct instants of the modifiedAt values the check reads,
		// in time order (offsets differ, so text order is not time order).
		// Each is sent as the bill wrote it.
		type instant struct {
			at   time.Time
			text string
		}
		var instants []instant
		for _, it := range items {
			v, _ := it["modifiedAt"].(string)
			at, err := time.Parse(time.RFC3339, v)
			if err == nil && !slices.ContainsFunc(instants, func(i instant) bool { return i.at.Equal(at) }) {
				instants = append(instants, instant{at, v})
			}
		}
		slices.SortFunc(instants, func(a, b instant) int { return a.at.Compare(b.at) })
		times := make([]string, len(instants))
		for i, in := range instants {
			times[i] = in.text
		}
		// Three values leave one before and one after the middle, so the
		// second answer is judged on bills it must drop and bills it
		// must keep, whether "at or after" is read inclusively or not.
		if len(times) < 3 {
			t.TooFew(ep.ID+" (modifiedSince "+since+")", "bills with at least 3 distinct modifiedAt values, to judge the filter on a later time",
				fmt.Sprintf("%d distinct", len(times)),
				"set fixtures.modifiedSince in your catalogue (WINSTON_CATALOGUE) to a time with more bills after it", nil)
			continue
		}
		mid := instants[len(instants)/2]
		later, resp, ok := sinceHolds(ctx, t, ep, mid.text, func(*client.Response) (string, bool) { return "the modifiedSince " + since + " query", true })
		if ok {
			relisted(t, ep, since, mid.text, mid.at, items, later, resp)
		}
	}
}

// relisted judges that the answer to modifiedSince at (later, resp) lists
// again every bill of the earlier answer to modifiedSince since (items)
// whose modifiedAt is after at (one at the bound may go either way): a filter that reads another field
// (createdAt), or drops some bills, returns only bills that meet the rule
// and still breaks it. A later answer as long as the limit asked (1000)
// may have been cut there, and is not judged so.
func relisted(t *T, ep catalogue.Endpoint, since, atText string, at time.Time, items, later []map[string]any, resp *client.Response) {
	where := fmt.Sprintf("%s (modifiedSince %s)", ep.ID, atText)
	if len(later) >= 1000 {
		t.NotJudged(where, "every bill modified at or after "+atText+" listed", resp, "the answer holds as many bills as the limit asked (1000), so it may have been cut there")
		return
	}
	have := map[string]bool{}
	for _, it := range later {
		have[idOf(it)] = true
	}
	var missing []string
	due := 0
	for _, it := range items {
		v, _ := it["modifiedAt"].(string)
		m, err := time.Parse(time.RFC3339, v)
		if err != nil || !m.After(at) || idOf(it) == "" {
			// A bill modified at the bound itself may be left out: the
			// docs do not say whether "since" includes it.
			continue
		}
		due++
		if !have[idOf(it)] {
			missing = append(missing, fmt.Sprintf("%s (modifiedAt %s)", idOf(it), v))
		}
	}
	t.Observe(where, len(missing) == 0, fmt.Sprintf("every bill of the modifiedSince %s answer modified after %s listed again (%d of %d missing%s)",
		since, atText, len(missing), due, example(missing)), resp)
}

// seenBy names an earlier answer of the same check that listed bills a
// filter must keep, or "" when none did (it may send a request to find
// out; it is called only when the filter's answer, empty, is empty). known
// is false when it could not tell (its own request failed, and that
// failure is recorded): the empty answer is then judged neither way.
type seenBy func(empty *client.Response) (by string, known bool)

// answeredBefore is a time before which a bill's change was visible to the
// request of resp: a second before its Date header (the server's clock,
// to the second); else the later of asked (this machine's clock, before
// the request) and reference (the run's reference time, WINSTON_NOW: a
// target whose clock is ahead of this machine's, as a sandbox set to a
// later day is, stamps its bills after asked).
func answeredBefore(resp *client.Response, asked, reference time.Time) time.Time {
	if resp != nil {
		if d, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
			return d.Add(-time.Second)
		}
	}
	if reference.After(asked) {
		return reference
	}
	return asked
}

// droppedSince is true when items hold a bill that a modifiedSince at
// filter had to list: modified strictly after at (so whether "at or after"
// is read inclusively or not, it must come) and before before (not
// modified after the filter's answer was asked for).
func droppedSince(items []map[string]any, at, before time.Time) bool {
	return slices.ContainsFunc(items, func(it map[string]any) bool {
		v, _ := it["modifiedAt"].(string)
		m, err := time.Parse(time.RFC3339, v)
		return err == nil && m.After(at) && m.Before(before)
	})
}

// atOrAfter is true when v is an RFC 3339 time at or after at.
func atOrAfter(v string, at time.Time) bool {
	m, err := time.Parse(time.RFC3339, v)
	return err == nil && !m.Before(at)
}

// sinceHolds lists bills modified since the given time and judges every
// bill's modifiedAt; it returns the bills when it could read them.
func sinceHolds(ctx SpecContext, t *T, ep catalogue.Endpoint, since string, listed seenBy) ([]map[string]any, *client.Response, bool) {
	at, err := time.Parse(time.RFC3339, since)
	if err != nil {
		Fail(fmt.Sprintf("fixtures.modifiedSince %q is not an RFC 3339 time: fix it in your catalogue", since))
	}
	return filterHolds(ctx, t, ep, "modifiedSince", since, "modifiedAt", "at or after "+since, listed, func(v string) bool { return atOrAfter(v, at) }, readsTime)
}

// filterHolds lists bills with filter name = value and checks field on
// every bill. An empty answer is a violation when listed names an answer
// that showed bills the filter must keep (the filter dropped them);
// otherwise it proves nothing, and the spec fails as not judged, naming
// the fixture to change.
func filterHolds(ctx SpecContext, t *T, ep catalogue.Endpoint, name, value, field, rule string, listed seenBy, holds, reads func(string) bool) ([]map[string]any, *client.Response, bool) {
	body := With(ep.Request, "businessDay", nil, "modifiedSince", nil, "modifiedAt", nil, "limit", 1000, name, value)
	where := fmt.Sprintf("%s (%s %s)", ep.ID, name, value)
	resp := t.Post(ctx, ep, body)
	items, ok := listOf(t, where, resp)
	if !ok {
		return nil, resp, false
	}
	if len(items) == 0 {
		if by, known := listed(resp); !known {
			return nil, resp, false
		} else if by != "" {
			t.Observe(where, false, fmt.Sprintf("the bills with %s %s that %s listed; none came", field, rule, by), resp)
		} else {
			t.TooFew(where, "bills to judge the filter by", "none matched "+value,
				"set fixtures."+name+" in your catalogue (WINSTON_CATALOGUE) to a value with bills on this target", resp)
		}
		return nil, resp, false
	}
	// The field, and its form, are only inferred: a bill that writes it
	// otherwise (a number of milliseconds, a time at an hour that may be
	// the venue's midnight in UTC, ISO 8601 without the colon) or not at
	// all breaks no documented rule, and is not judged by it.
	readable := 0
	for _, it := range items {
		if v, ok := it[field].(string); ok && reads(v) {
			readable++
		}
	}
	if readable == 0 {
		t.UnreadableField(where, fmt.Sprintf("every bill's %s %s", field, rule), field,
			"the bills carry no "+field+" in the form the check reads (a date, YYYY-MM-DD or its midnight, for businessDay; an RFC 3339 time for modifiedAt); the field and its form are inferred, not documented", resp)
		return nil, resp, false
	}
	var bad []string
	for _, it := range items {
		v, ok := it[field].(string)
		if !ok || !reads(v) {
			continue
		}
		if !holds(v) {
			bad = append(bad, fmt.Sprintf("%s has %s %q", idOf(it), field, v))
		}
	}
	unread := ""
	if n := len(items) - readable; n > 0 {
		unread = fmt.Sprintf("; %d more without a %s the check reads, not judged", n, field)
	}
	t.Observe(where, len(bad) == 0, fmt.Sprintf("every bill's %s %s (%d of %d break it%s%s)", field, rule, len(bad), readable, example(bad), unread), resp)
	return items, resp, len(bad) == 0
}

// readsDay is true for a business day the check reads: a date, or its
// midnight (dayOf).
func readsDay(v string) bool {
	_, err := time.Parse(time.DateOnly, dayOf(v))
	return err == nil
}

// readsTime is true for a modifiedAt the check reads: an RFC 3339 time.
func readsTime(v string) bool {
	_, err := time.Parse(time.RFC3339, v)
	return err == nil
}

// dayOf reads a business day: an ISO date, or the date part of a
// midnight time a server may write instead ("2026-11-20T00:00:00.000Z").
// The day is the venue's, so only a midnight time is read as its date: a
// time at another hour may be the venue's midnight in UTC and is left
// whole, to fail with its value shown.
func dayOf(v string) string {
	if len(v) > 10 && v[10] == 'T' {
		if at, err := time.Parse(time.RFC3339Nano, v); err == nil && at.Hour() == 0 && at.Minute() == 0 && at.Second() == 0 && at.Nanosecond() == 0 {
			return v[:10]
		}
	}
	return v
}

// otherValue returns the smallest business day of field among items that
// is not not, or "", as the filter takes it: a date. A bill that writes
// its day otherwise (a time at another hour than midnight, which may be
// the venue's midnight in UTC) names no day the check can query.
func otherValue(items []map[string]any, field, not string) string {
	best := ""
	for _, it := range items {
		v, _ := it[field].(string)
		if !readsDay(v) {
			continue
		}
		if v = dayOf(v); v != not && (best == "" || v < best) {
			best = v
		}
	}
	return best
}

func example(bad []string) string {
	if len(bad) == 0 {
		return ""
	}
	return ": " + bad[0]
}
