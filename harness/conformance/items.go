package conformance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/winston-conformance/winston-conformance/harness/client"
)

// Items decodes a list answer (a JSON array of objects). Only the top
// level of each item is decoded (strings, numbers as json.Number, booleans,
// null); a nested object or array stays json.RawMessage, since the checks
// judge ids, filters and sort fields, and decoding every payment and
// product line of a thousand bills is most of a replay run's work.
//
// A body is checked with json.Valid and then split in one pass; anything
// but an array of objects (or nulls) takes encoding/json's path, whose
// result and error the fast path matches (FuzzItemsMatchesEncodingJSON).
func Items(resp *client.Response) ([]map[string]any, error) {
	if resp.Err != nil {
		return nil, resp.Err
	}
	if json.Valid(resp.Body) {
		if items, ok := splitItems(resp.Body); ok {
			return items, nil
		}
	}
	return itemsSlow(resp.Body)
}

// itemsSlow is Items through encoding/json.
func itemsSlow(body []byte) ([]map[string]any, error) {
	var raw []map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, fmt.Errorf("the answer is not a JSON array of objects: %w", err)
	}
	items := make([]map[string]any, len(raw))
	for i, obj := range raw {
		item := make(map[string]any, len(obj))
		for k, v := range obj {
			item[k] = topLevel(v)
		}
		items[i] = item
	}
	return items, nil
}

// splitItems splits a valid JSON text that is an array of objects or
// nulls. It reports false for any other shape, which itemsSlow handles.
func splitItems(b []byte) ([]map[string]any, bool) {
	s := &splitter{b: b}
	s.space()
	if !s.take('[') {
		return nil, false
	}
	items := []map[string]any{}
	s.space()
	if s.take(']') {
		return items, true
	}
	for {
		s.space()
		switch {
		case s.take('{'):
			item, ok := s.object()
			if !ok {
				return nil, false
			}
			items = append(items, item)
		case bytes.HasPrefix(b[s.i:], []byte("null")):
			s.i += 4
			items = append(items, map[string]any{})
		default:
			return nil, false
		}
		s.space()
		if s.take(']') {
			return items, true
		}
		if !s.take(',') {
			return nil, false
		}
	}
}

// splitter walks a text json.Valid accepted, so it checks only what it
// needs to find the ends of values.
type splitter struct {
	b []byte
	i int
}

func (s *splitter) space() {
	for s.i < len(s.b) && (s.b[s.i] == ' ' || s.b[s.i] == '\t' || s.b[s.i] == '\n' || s.b[s.i] == '\r') {
		s.i++
	}
}

func (s *splitter) take(c byte) bool {
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// object reads the members after '{' up to and including '}'.
func (s *splitter) object() (map[string]any, bool) {
	item := map[string]any{}
	s.space()
	if s.take('}') {
		return item, true
	}
	for {
		s.space()
		start := s.i
		if !s.str() {
			return nil, false
		}
		key, ok := text(s.b[start:s.i])
		if !ok {
			return nil, false
		}
		s.space()
		if !s.take(':') {
			return nil, false
		}
		s.space()
		start = s.i
		if !s.value() {
			return nil, false
		}
		item[key] = topLevel(json.RawMessage(s.b[start:s.i]))
		s.space()
		if s.take('}') {
			return item, true
		}
		if !s.take(',') {
			return nil, false
		}
	}
}

// str moves past a string starting at s.i.
func (s *splitter) str() bool {
	if !s.take('"') {
		return false
	}
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case '\\':
			s.i += 2
		case '"':
			s.i++
			return true
		default:
			s.i++
		}
	}
	return false
}

// value moves past any value starting at s.i.
func (s *splitter) value() bool {
	if s.i >= len(s.b) {
		return false
	}
	switch s.b[s.i] {
	case '"':
		return s.str()
	case '{', '[':
		depth := 0
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case '"':
				if !s.str() {
					return false
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
			}
			s.i++
			if depth == 0 {
				return true
			}
		}
		return false
	default:
		// A number or a literal ends at a delimiter.
		start := s.i
	scan:
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				break scan
			}
			s.i++
		}
		return s.i > start
	}
}

// text decodes a JSON string as encoding/json does; the common case, no
// escape and valid UTF-8, is a plain copy.
func text(quoted []byte) (string, bool) {
	inner := quoted[1 : len(quoted)-1]
	if bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
		return string(inner), true
	}
	var out string
	if json.Unmarshal(quoted, &out) != nil {
		return "", false
	}
	return out, true
}

// topLevel decodes a scalar JSON value and leaves containers raw.
func topLevel(v json.RawMessage) any {
	switch {
	case len(v) == 0:
		return nil
	case v[0] == '{' || v[0] == '[':
		return v
	case v[0] == '"':
		if s, ok := text(v); ok {
			return s
		}
	case v[0] == 't' || v[0] == 'f':
		return v[0] == 't'
	case v[0] == 'n':
		return nil
	default:
		return json.Number(v)
	}
	return v
}
