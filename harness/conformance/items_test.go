package conformance

import (
	"encoding/json"
	"testing"

	"github.com/winston-conformance/winston-conformance/harness/client"
)

// TestSplitterStrSaysWhenTheBytesAreTheValue holds str's plain flag to
// what it promises: the bytes between the quotes are the string's value
// only without escapes and outside ASCII's range.
func TestSplitterStrSaysWhenTheBytesAreTheValue(t *testing.T) {
	for _, c := range []struct {
		text      string
		plain, ok bool
	}{
		{`"abc"`, true, true},
		{`""`, true, true},
		{`"a\"b"`, false, true},
		{`"a\u00e9"`, false, true},
		{"\"caf\xc3\xa9\"", false, true},
		{"\"\xff\"", false, true},
		{"\"a\x01\"", false, false},
		{`"abc`, false, false},
		{`"a\q"`, false, false},
		{`abc"`, false, false},
	} {
		s := &splitter{b: []byte(c.text)}
		plain, ok := s.str()
		if plain != c.plain || ok != c.ok {
			t.Errorf("str(%q) = plain %v, ok %v; want %v, %v", c.text, plain, ok, c.plain, c.ok)
		}
		if ok && s.i != len(c.text) {
			t.Errorf("str(%q) stopped at %d, not after the closing quote", c.text, s.i)
		}
	}
}

// TestItemsKeepsNamesAndValuesOfEveryItem reads names that repeat across
// items, and names and values with escapes and non-ASCII text, as
// encoding/json does.
func TestItemsKeepsNamesAndValuesOfEveryItem(t *testing.T) {
	body := []byte(`[{"id":"a","n":1,"k\u00e9":"caf\u00e9"},null,{"id":"b","n":-2.5e3,"o":{"x":[1]}},{"id":"\"q\"","x":"` + "\xc3\xa9" + `"}]`)
	items, err := Items(&client.Response{Status: 200, Body: body})
	if err != nil {
		t.Fatal(err)
	}
	want := []map[string]any{
		{"id": "a", "n": json.Number("1"), "k\u00e9": "caf\u00e9"},
		{},
		{"id": "b", "n": json.Number("-2.5e3"), "o": json.RawMessage(`{"x":[1]}`)},
		{"id": `"q"`, "x": "\u00e9"},
	}
	if len(items) != len(want) {
		t.Fatalf("got %d items, want %d: %#v", len(items), len(want), items)
	}
	for i := range want {
		if len(items[i]) != len(want[i]) {
			t.Errorf("item %d: %#v, want %#v", i, items[i], want[i])
		}
		for k, v := range want[i] {
			got := items[i][k]
			if raw, ok := v.(json.RawMessage); ok {
				if g, ok := got.(json.RawMessage); !ok || string(g) != string(raw) {
					t.Errorf("item %d %q: %#v, want %s", i, k, got, raw)
				}
				continue
			}
			if got != v {
				t.Errorf("item %d %q: %#v, want %#v", i, k, got, v)
			}
		}
	}
}
