package cassette

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"unicode/utf8"
)

// FuzzLoad feeds arbitrary bytes to the cassette loader: it must return
// a cassette or an error, never panic, and whatever it accepts must be
// indexable for replay and come back unchanged from the parsed-cassette
// cache.
func FuzzLoad(f *testing.F) {
	f.Add(validCassetteSeed(f))
	f.Add([]byte(""))
	f.Add([]byte("version: 1\ninteractions: []\n"))
	f.Add([]byte("version: 2\ninteractions:\n- request: {method: GET, url: 'http://h/x'}\n  response: {code: 200}\n"))
	f.Add([]byte("meta: {interactionCount: 3}\nversion: 2\ninteractions: []\n"))
	f.Add([]byte("a: &a [*a, *a]\n"))
	f.Add([]byte("version: 2\ninteractions: [~]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := parseFile("fuzz.yaml", data)
		if err != nil {
			return
		}
		ix, err := buildIndex(file, keyRedactor(standInKey, standInKey2))
		if err != nil {
			t.Fatalf("accepted cassette does not index: %v", err)
		}
		if len(ix.shapes) != len(file.Interactions) {
			t.Fatalf("index has %d shapes for %d interactions", len(ix.shapes), len(file.Interactions))
		}
		if got := roundTrip(t, file); !reflect.DeepEqual(got, file) {
			t.Fatalf("the parsed-cassette cache would replay a different cassette:\n%#v\n%#v", got, file)
		}
	})
}

func validCassetteSeed(f *testing.F) []byte {
	f.Helper()
	data, err := encodeFile(Meta{Source: SourceSandbox, Requirement: testID}, nil, keyRedactor(standInKey, standInKey2))
	if err != nil {
		f.Fatal(err)
	}
	return data
}

// FuzzCanonicalBody checks that canonicalisation never panics, is
// idempotent, and keeps the meaning of any valid JSON document.
func FuzzCanonicalBody(f *testing.F) {
	for _, s := range []string{`{"sort":{"createdAt":1},"limit":5}`, `[1, 2.0, "x"]`, `"\u2028"`, `{"a":1,"a":2}`,
		"not json", "", `{"a":`, "1e400", `{"<":"&"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		in := append([]byte(nil), b...)
		c := CanonicalBody(b)
		if !bytes.Equal(b, in) {
			t.Fatal("CanonicalBody modified its input")
		}
		if again := CanonicalBody(c); !bytes.Equal(again, c) {
			t.Fatalf("not idempotent: %q -> %q -> %q", b, c, again)
		}
		if !json.Valid(b) || !utf8.Valid(b) {
			return
		}
		if !json.Valid(c) {
			t.Fatalf("valid JSON %q became invalid %q", b, c)
		}
		if !reflect.DeepEqual(decodeNumber(t, b), decodeNumber(t, c)) {
			t.Fatalf("meaning changed: %q -> %q", b, c)
		}
	})
}

func decodeNumber(t *testing.T, b []byte) any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("decode %q: %v", b, err)
	}
	return v
}
