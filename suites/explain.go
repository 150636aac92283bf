package suites

import (
	"encoding/json"
	"strings"
	"unicode"
	"unicode/utf8"
)

// explains reports whether an error body says something in words: a text
// body with at least one word, or a JSON body with at least one string
// value that holds a word. The error body's format is not public
// ([UNKNOWN]; the 401 example is plain text), so any format passes that
// says something; what fails is a body that says nothing, such as {},
// [], null, a number or only white space. A word is two or more letters
// in a row, so that "{}" or "0" never counts.
func explains(body []byte) bool {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return hasWord(string(body))
	}
	return anyString(v, hasWord)
}

// hasWord reports whether s holds two letters in a row.
func hasWord(s string) bool {
	run := 0
	for _, r := range s {
		if !unicode.IsLetter(r) {
			run = 0
			continue
		}
		if run++; run >= 2 {
			return true
		}
	}
	return false
}

// anyString reports whether ok holds for a string value anywhere in v.
// Member names are not values: {"error": null} says nothing.
func anyString(v any, ok func(string) bool) bool {
	switch x := v.(type) {
	case string:
		return ok(x)
	case []any:
		for _, e := range x {
			if anyString(e, ok) {
				return true
			}
		}
	case map[string]any:
		for _, e := range x {
			if anyString(e, ok) {
				return true
			}
		}
	}
	return false
}

// namesField reports whether an error body names field in its own words:
// in a text body, or in a string value of a JSON body, as a whole name
// (not part of a longer identifier). A JSON body that only echoes the
// request does not name it, since it would do so whatever was wrong with
// the request: there field is a member name ({"request": {"sort":
// {"field": 1}}}), or sits in a string value that is itself a JSON
// document (the request's body quoted back). A message that quotes a
// fragment ("unknown sort field in {\"field\":1}") still names it, and so
// does a member named by the field's path ("sort.field").
func namesField(body []byte, field string) bool {
	names := func(s string) bool {
		for rest := s; ; {
			i := strings.Index(rest, field)
			if i < 0 {
				return false
			}
			before, _ := utf8.DecodeLastRuneInString(rest[:i])
			after, _ := utf8.DecodeRuneInString(rest[i+len(field):])
			if !identRune(before) && !identRune(after) {
				return true
			}
			rest = rest[i+len(field):]
		}
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return names(string(body))
	}
	return anyString(v, func(s string) bool {
		if t := strings.TrimSpace(s); len(t) > 0 && (t[0] == '{' || t[0] == '[') && json.Valid([]byte(t)) {
			return false
		}
		return names(s)
	}) || anyKey(v, func(k string) bool {
		// A member named by the field's path ({"errors":
		// {"sort.field": "is not allowed"}}, as Rails or Laravel key
		// their validation errors) names it; a member named the field
		// alone is the request echoed.
		return k != field && names(k)
	})
}

// anyKey reports whether ok holds for a member name anywhere in v, a
// decoded JSON value.
func anyKey(v any, ok func(string) bool) bool {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			if anyKey(e, ok) {
				return true
			}
		}
	case map[string]any:
		for k, e := range x {
			if ok(k) || anyKey(e, ok) {
				return true
			}
		}
	}
	return false
}

// identRune reports whether r can be part of an identifier; the
// utf8.RuneError that stands for "no rune" (the start or end of the text)
// cannot.
func identRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
}
