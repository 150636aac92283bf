package suites

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// compareValues orders two JSON values of a sort field: numbers by value,
// RFC 3339 times by the instant they name (a server may write fractional
// seconds only when they are not zero, or another UTC offset, and as text
// "10:00:00.5Z" sorts before "10:00:00Z"), anything else by its text
// (ISO dates sort as text).
func compareValues(a, b any) int {
	if x, ok := instant(a); ok {
		if y, ok := instant(b); ok {
			return x.Compare(y)
		}
	}
	if x, ok := number(a); ok {
		if y, ok := number(b); ok {
			switch {
			case x < y:
				return -1
			case x > y:
				return 1
			}
			return 0
		}
	}
	return strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
}

func instant(v any) (time.Time, bool) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, false
	}
	at, err := time.Parse(time.RFC3339Nano, s)
	return at, err == nil
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	case float64:
		return n, true
	}
	return 0, false
}
