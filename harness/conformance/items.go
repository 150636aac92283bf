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
// A body is validated and split in one pass; anything but a valid array
// of objects (or nulls) takes encoding/json's path, whose result and
// error the fast path matches (FuzzItemsMatchesEncodingJSON).
func Items(resp *client.Response) ([]map[string]any, error) {
	if resp.Err != nil {
		return nil, resp.Err
	}
	if items, ok := splitItems(resp.Body); ok {
		return items, nil
	}
	return itemsSlow(resp.Body)
}

// itemsSlow is Items through encoding/json.
func itemsSlow(body []byte) ([]map[string]any, error) {
	// encoding/json reads a top-level null as an empty list; a list
	// answer that is null is not a list.
	if t := bytes.TrimLeft(body, " \t\r\n"); len(t) > 0 && t[0] != '[' && json.Valid(body) {
		return nil, fmt.Errorf("the answer is not a JSON array of objects: it is %s", jsonKind(t[0]))
	}
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

// JSONKind names the JSON type of a value in an item that Items returned
// ("a string", "a number", "an object", "an array", "a boolean", "null"),
// for failure messages: Items keeps numbers as json.Number and nested
// objects and arrays as json.RawMessage.
func JSONKind(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	case json.RawMessage:
		if len(x) > 0 {
			return jsonKind(x[0])
		}
	}
	return fmt.Sprintf("%T", v)
}

// jsonKind names the JSON type of a value by its first byte.
func jsonKind(first byte) string {
	switch first {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 'n':
		return "null"
	case 't', 'f':
		return "a boolean"
	}
	return "a number"
}

// splitItems splits a JSON text that is an array of objects or nulls.
// It reports false for any other shape and for any text that is not
// valid JSON, which itemsSlow handles and explains.
func splitItems(b []byte) ([]map[string]any, bool) {
	s := &splitter{b: b}
	s.space()
	if !s.take('[') {
		return nil, false
	}
	items := []map[string]any{}
	ok := s.list(']', func() bool {
		switch {
		case s.take('{'):
			item, ok := s.object()
			items = append(items, item)
			return ok
		case s.literal("null"):
			items = append(items, map[string]any{})
			return true
		}
		return false
	})
	s.space()
	if !ok || s.i != len(b) {
		return nil, false
	}
	return items, true
}

// splitter walks a JSON text, checking its grammar as encoding/json's
// scanner does (it reads bytes, so invalid UTF-8 passes as it does there).
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

// list moves past the comma-separated elements of an array or object,
// after its opening bracket, and past the closing one, end. element reads
// one element; spaces around elements are skipped here.
func (s *splitter) list(end byte, element func() bool) bool {
	s.space()
	if s.take(end) {
		return true
	}
	for {
		s.space()
		if !element() {
			return false
		}
		s.space()
		if s.take(end) {
			return true
		}
		if !s.take(',') {
			return false
		}
	}
}

// name moves past a member's name and its colon, returning the quoted name.
func (s *splitter) name() ([]byte, bool) {
	start := s.i
	if !s.str() {
		return nil, false
	}
	quoted := s.b[start:s.i]
	s.space()
	if !s.take(':') {
		return nil, false
	}
	s.space()
	return quoted, true
}

// object reads the members after '{' up to and including '}', decoding
// the top level only.
func (s *splitter) object() (map[string]any, bool) {
	item := map[string]any{}
	ok := s.list('}', func() bool {
		quoted, ok := s.name()
		if !ok {
			return false
		}
		key, ok := text(quoted)
		if !ok {
			return false
		}
		start := s.i
		if !s.value(1) {
			return false
		}
		item[key] = topLevel(json.RawMessage(s.b[start:s.i]))
		return true
	})
	return item, ok
}

// str moves past a valid string starting at s.i.
func (s *splitter) str() bool {
	if !s.take('"') {
		return false
	}
	for s.i < len(s.b) {
		c := s.b[s.i]
		s.i++
		switch {
		case c == '"':
			return true
		case c < 0x20:
			return false
		case c == '\\':
			if !s.escape() {
				return false
			}
		}
	}
	return false
}

// escape moves past the rest of an escape sequence after its backslash.
func (s *splitter) escape() bool {
	if s.i >= len(s.b) {
		return false
	}
	c := s.b[s.i]
	s.i++
	switch c {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return true
	case 'u':
		for range 4 {
			if s.i >= len(s.b) || !isHex(s.b[s.i]) {
				return false
			}
			s.i++
		}
		return true
	}
	return false
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// maxDepth bounds the nesting the fast path follows; deeper texts go to
// encoding/json, which has a limit of its own and says so.
const maxDepth = 1000

// value moves past a valid value starting at s.i, nested depth deep.
func (s *splitter) value(depth int) bool {
	if s.i >= len(s.b) || depth > maxDepth {
		return false
	}
	switch s.b[s.i] {
	case '"':
		return s.str()
	case '{':
		s.i++
		return s.members(depth)
	case '[':
		s.i++
		return s.elements(depth)
	case 't':
		return s.literal("true")
	case 'f':
		return s.literal("false")
	case 'n':
		return s.literal("null")
	default:
		return s.number()
	}
}

// members moves past an object's members after '{' and its '}'.
func (s *splitter) members(depth int) bool {
	return s.list('}', func() bool {
		_, ok := s.name()
		return ok && s.value(depth+1)
	})
}

// elements moves past an array's elements after '[' and its ']'.
func (s *splitter) elements(depth int) bool {
	return s.list(']', func() bool { return s.value(depth + 1) })
}

func (s *splitter) literal(word string) bool {
	if !bytes.HasPrefix(s.b[s.i:], []byte(word)) {
		return false
	}
	s.i += len(word)
	return true
}

// number moves past a number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *splitter) number() bool {
	s.take('-')
	switch {
	case s.take('0'):
	case s.i < len(s.b) && '1' <= s.b[s.i] && s.b[s.i] <= '9':
		s.digits()
	default:
		return false
	}
	if s.take('.') && !s.digits() {
		return false
	}
	if s.take('e') || s.take('E') {
		if !s.take('+') {
			s.take('-')
		}
		if !s.digits() {
			return false
		}
	}
	return true
}

// digits moves past one or more digits, reporting whether there was one.
func (s *splitter) digits() bool {
	start := s.i
	for s.i < len(s.b) && '0' <= s.b[s.i] && s.b[s.i] <= '9' {
		s.i++
	}
	return s.i > start
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
