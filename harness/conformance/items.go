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
	s := &splitter{b: b, keys: map[string]string{}}
	s.space()
	if !s.take('[') {
		return nil, false
	}
	items := []map[string]any{}
	s.space()
	if s.take(']') {
		return s.end(items)
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
		case s.literal("null"):
			items = append(items, map[string]any{})
		default:
			return nil, false
		}
		s.space()
		if s.take(']') {
			return s.end(items)
		}
		if !s.take(',') {
			return nil, false
		}
	}
}

// end accepts items when only spaces follow the array.
func (s *splitter) end(items []map[string]any) ([]map[string]any, bool) {
	s.space()
	if s.i != len(s.b) {
		return nil, false
	}
	return items, true
}

// splitter walks a JSON text, checking its grammar as encoding/json's
// scanner does (it reads bytes, so invalid UTF-8 passes as it does there).
// The loops keep the position in a local variable and avoid closures:
// this scan is most of what a list check costs.
type splitter struct {
	b []byte
	i int
	// keys holds each member name already decoded, so that the names
	// that repeat in every item of a list share one string.
	keys map[string]string
	// width is the number of members of the last item, the size hint
	// of the next item's map.
	width int
}

func (s *splitter) space() {
	b, i := s.b, s.i
	for i < len(b) && b[i] <= ' ' && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	s.i = i
}

func (s *splitter) take(c byte) bool {
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// object reads the members after '{' up to and including '}', decoding
// the top level only.
func (s *splitter) object() (map[string]any, bool) {
	item := make(map[string]any, s.width)
	s.space()
	if s.take('}') {
		return item, true
	}
	for {
		s.space()
		key, ok := s.key()
		if !ok {
			return nil, false
		}
		s.space()
		if !s.take(':') {
			return nil, false
		}
		s.space()
		start := s.i
		if start >= len(s.b) {
			return nil, false
		}
		if s.b[start] == '"' {
			plain, ok := s.str()
			if !ok {
				return nil, false
			}
			if plain {
				item[key] = string(s.b[start+1 : s.i-1])
			} else {
				item[key] = topLevel(json.RawMessage(s.b[start:s.i]))
			}
		} else {
			if !s.value(1) {
				return nil, false
			}
			item[key] = topLevel(json.RawMessage(s.b[start:s.i]))
		}
		s.space()
		if s.take('}') {
			s.width = len(item)
			return item, true
		}
		if !s.take(',') {
			return nil, false
		}
	}
}

// key moves past a member's name and returns it decoded; a name seen
// before in the same text is the same string.
func (s *splitter) key() (string, bool) {
	start := s.i
	plain, ok := s.str()
	if !ok {
		return "", false
	}
	if !plain {
		return text(s.b[start:s.i])
	}
	inner := s.b[start+1 : s.i-1]
	if k, ok := s.keys[string(inner)]; ok {
		return k, true
	}
	k := string(inner)
	s.keys[k] = k
	return k, true
}

// strByte classifies the bytes of a JSON string: 0 for a byte copied as
// it is, strEnd for the closing quote, strEscape for a backslash,
// strBad for a control character (which JSON forbids) and strWide for
// the bytes of a multi-byte sequence, which need a UTF-8 check.
var strByte = func() (t [256]byte) {
	for c := range 0x20 {
		t[c] = strBad
	}
	t['"'] = strEnd
	t['\\'] = strEscape
	for c := 0x80; c < 0x100; c++ {
		t[c] = strWide
	}
	return t
}()

const (
	strEnd = 1 + iota
	strEscape
	strBad
	strWide
)

// str moves past a valid string starting at s.i. plain is true when the
// string holds no escape and only ASCII, so that its bytes between the
// quotes are its value.
func (s *splitter) str() (plain, ok bool) {
	b, i := s.b, s.i
	if i >= len(b) || b[i] != '"' {
		return false, false
	}
	i++
	plain = true
	for i < len(b) {
		c := b[i]
		i++
		switch strByte[c] {
		case 0:
		case strEnd:
			s.i = i
			return plain, true
		case strEscape:
			s.i = i
			if !s.escape() {
				return false, false
			}
			i, plain = s.i, false
		case strBad:
			return false, false
		case strWide:
			plain = false
		}
	}
	return false, false
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
		_, ok := s.str()
		return ok
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
	s.space()
	if s.take('}') {
		return true
	}
	for {
		s.space()
		if _, ok := s.str(); !ok {
			return false
		}
		s.space()
		if !s.take(':') {
			return false
		}
		s.space()
		if !s.value(depth + 1) {
			return false
		}
		s.space()
		if s.take('}') {
			return true
		}
		if !s.take(',') {
			return false
		}
	}
}

// elements moves past an array's elements after '[' and its ']'.
func (s *splitter) elements(depth int) bool {
	s.space()
	if s.take(']') {
		return true
	}
	for {
		s.space()
		if !s.value(depth + 1) {
			return false
		}
		s.space()
		if s.take(']') {
			return true
		}
		if !s.take(',') {
			return false
		}
	}
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
	b, i := s.b, s.i
	start := i
	for i < len(b) && '0' <= b[i] && b[i] <= '9' {
		i++
	}
	s.i = i
	return i > start
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
