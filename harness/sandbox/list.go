package sandbox

import (
	"bytes"
	"encoding/json"
	"math"
	"sort"
	"strings"
	"time"
)

// Page sizes of list queries (reporting guide: limit defaults to 100, at
// most 1000).
const (
	DefaultLimit = 100
	MaxLimit     = 1000
)

// sortKey is one entry of a sort object: a field and 1 or -1.
type sortKey struct {
	field string
	desc  bool
}

// listQuery is the paging part of a list body, validated.
type listQuery struct {
	sort  []sortKey
	limit int
	skip  int
	// sortLast pages first and sorts the page after (fault
	// sort-within-page).
	sortLast bool
	// tiesReversed orders items that tie on every sort key by _id
	// descending instead of ascending (correct variant
	// correct-unstable-ties).
	tiesReversed bool
}

// record gives the list engine a resource's sortable fields and its id.
type record interface {
	sortValue(field string) any
	id() string
}

// parseListQuery validates sort, limit and skip, and refuses any top-level
// field that is neither one of them nor in extra. sortFields are the
// resource's fields a client may sort on.
func (s *Server) parseListQuery(body map[string]json.RawMessage, sortFields []string, extra ...string) (listQuery, *apiError) {
	allowed := append([]string{"sort", "limit", "skip"}, extra...)
	if e := unknownField(body, "", allowed...); e != nil {
		return listQuery{}, e
	}
	q := listQuery{limit: DefaultLimit}
	switch {
	case s.faults.on(faultDefaultLimit50), s.faults.on(faultFewBillsDefault50):
		q.limit = 50
	case s.faults.on(faultDefaultLimit200):
		q.limit = 200
	}
	if raw, ok := body["sort"]; ok {
		keys, e := s.parseSort(raw, sortFields)
		if e != nil {
			return listQuery{}, e
		}
		q.sort = keys
	}
	lenient := s.faults.on(faultLenientTypes)
	if raw, ok := body["limit"]; ok {
		n, err := intValue(raw, lenient)
		if err != nil && s.faults.on(faultFractionalLimit) {
			n, err = truncatedNumber(raw)
		}
		inRange := err == nil && n >= 1 && n <= MaxLimit
		switch {
		case inRange:
			q.limit = int(n)
		case err == nil && n > MaxLimit && s.faults.on(variantCappedLimit):
			q.limit = MaxLimit
		case err == nil && n > MaxLimit && s.faults.on(faultLimitOverCapServed):
			q.limit = int(min(n, 1<<31-1))
		case err == nil && s.faults.on(faultNoLimitCap):
			if n > MaxLimit {
				q.limit = int(min(n, 1<<31-1))
			}
		default:
			return listQuery{}, badField("limit", "limit must be an integer from 1 to 1000")
		}
	}
	if raw, ok := body["skip"]; ok {
		n, err := intValue(raw, lenient)
		if err != nil || n < 0 {
			return listQuery{}, badField("skip", "skip must be an integer of 0 or more")
		}
		q.skip = int(min(n, 1<<31-1))
	}
	if s.faults.on(faultIgnoreLimit) {
		q.limit = DefaultLimit
	}
	if s.faults.on(faultLimitCap100) && q.limit > DefaultLimit {
		q.limit = DefaultLimit
	}
	if s.faults.on(faultIgnoreSkip) {
		q.skip = 0
	}
	if s.faults.on(faultEmptyLists) {
		// A page of nothing, on every list route: they all page here.
		q.limit = 0
	}
	q.sortLast = s.faults.on(faultSortWithinPage)
	// A sort that is not stable: ties come in another order when the
	// query skips (as a store's top-k sort may give).
	q.tiesReversed = s.faults.on(variantUnstableTies) && q.skip > 0
	return q, nil
}

// truncatedNumber reads any JSON number and drops its fraction, as a
// lenient server would (fault fractional-limit).
func truncatedNumber(raw json.RawMessage) (int64, error) {
	var f float64
	if err := json.Unmarshal(raw, &f); err != nil || math.IsInf(f, 0) || math.Abs(f) > 1<<53 {
		return 0, errNotInteger
	}
	return int64(f), nil
}

// parseSort reads the sort object with a token stream, because the order
// of its keys is the order in which they apply and a Go map forgets it.
func (s *Server) parseSort(raw json.RawMessage, fields []string) ([]sortKey, *apiError) {
	known := map[string]bool{}
	for _, f := range fields {
		known[f] = true
	}
	notObject := badField("sort", `sort must be an object of field -> 1 or -1, e.g. {"createdAt": 1}`)
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, notObject
	}
	var keys []sortKey
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		name, isString := tok.(string)
		if err != nil || !isString {
			return nil, notObject
		}
		var val json.RawMessage
		if err := dec.Decode(&val); err != nil {
			return nil, notObject
		}
		field := "sort." + clip(name)
		if !known[name] {
			if s.faults.on(faultIgnoreUnknownSort) {
				continue
			}
			return nil, badField(field, "unknown sort field %q: sort on one of %s", clip(name), joinQuoted(fields))
		}
		if seen[name] {
			return nil, badField(field, "sort field %q is given twice", name)
		}
		seen[name] = true
		switch string(bytes.TrimSpace(val)) {
		case "1":
			keys = append(keys, sortKey{field: name})
		case "-1":
			keys = append(keys, sortKey{field: name, desc: true})
		default:
			return nil, badField(field, "%s must be 1 (ascending) or -1 (descending)", field)
		}
	}
	return keys, nil
}

// page sorts, skips and limits a copy of items. Without sort keys the
// items keep their natural order; ties are broken by _id so every answer
// is fully determined. With fault ignore-sort the answer is in _id order
// whatever was asked.
func page[T record](items []T, q listQuery, ignoreSort bool) []T {
	out := append([]T(nil), items...)
	if q.sortLast {
		paged := page(out, listQuery{limit: q.limit, skip: q.skip}, false)
		return page(paged, listQuery{sort: q.sort, limit: len(paged)}, ignoreSort)
	}
	switch {
	case ignoreSort:
		sort.SliceStable(out, func(i, j int) bool { return out[i].id() < out[j].id() })
	case len(q.sort) > 0:
		sort.SliceStable(out, func(i, j int) bool {
			for _, k := range q.sort {
				c := compareValues(out[i].sortValue(k.field), out[j].sortValue(k.field))
				if k.desc {
					c = -c
				}
				if c != 0 {
					return c < 0
				}
			}
			if q.tiesReversed {
				return out[i].id() > out[j].id()
			}
			return out[i].id() < out[j].id()
		})
	}
	if q.skip >= len(out) {
		return make([]T, 0)
	}
	out = out[q.skip:]
	if q.limit < len(out) {
		out = out[:q.limit]
	}
	return out
}

// compareValues orders the values a sortValue returns: null first, then
// by value. Values of one field always share a type.
func compareValues(a, b any) int {
	a, b = deref(a), deref(b)
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	switch x := a.(type) {
	case string:
		return strings.Compare(x, b.(string))
	case int:
		return cmpOrdered(x, b.(int))
	case int64:
		return cmpOrdered(x, b.(int64))
	case float64:
		return cmpOrdered(x, b.(float64))
	case time.Time:
		return x.Compare(b.(time.Time))
	}
	return 0
}

func deref(v any) any {
	if p, ok := v.(*string); ok {
		if p == nil {
			return nil
		}
		return *p
	}
	return v
}

func cmpOrdered[T int | int64 | float64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// clip shortens a client-supplied name before it is quoted in an answer,
// so an error body stays short whatever was sent.
func clip(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	return s[:max] + "..."
}
