package cassette

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"net/http"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
	"time"

	vcr "gopkg.in/dnaeon/go-vcr.v3/cassette"
)

// fillValues sets every exported field of the struct v points to, that a
// YAML cassette can hold, to a distinct non-zero value, recursively. A
// field that go-vcr or Meta gains later is filled too, so the round trip
// below fails until the codec stores it.
func fillValues(t *testing.T, v reflect.Value, seed *int) {
	t.Helper()
	*seed++
	n := *seed
	switch v.Kind() {
	case reflect.String:
		v.SetString("s" + strconv.Itoa(n) + " ünïcode\n\x00")
	case reflect.Int, reflect.Int64:
		v.SetInt(int64(n) * -1001)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := range 2 {
			fillValues(t, s.Index(i), seed)
		}
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		for range 3 {
			k := reflect.New(v.Type().Key()).Elem()
			fillValues(t, k, seed)
			e := reflect.New(v.Type().Elem()).Elem()
			fillValues(t, e, seed)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fillValues(t, p.Elem(), seed)
		v.Set(p)
	case reflect.Struct:
		for i := range v.NumField() {
			sf := v.Type().Field(i)
			if !sf.IsExported() || sf.Tag.Get("yaml") == "-" {
				continue
			}
			fillValues(t, v.Field(i), seed)
		}
	default:
		t.Fatalf("fillValues: kind %s of %s not handled; extend the test and the codec", v.Kind(), v.Type())
	}
}

func roundTrip(t *testing.T, f *File) *File {
	t.Helper()
	got, err := decodeEntry(encodeEntry(f))
	if err != nil {
		t.Fatalf("decode of a fresh entry: %v", err)
	}
	got.Path = f.Path
	return got
}

func TestCodecKeepsEveryField(t *testing.T) {
	var meta Meta
	var it vcr.Interaction
	seed := 0
	fillValues(t, reflect.ValueOf(&meta).Elem(), &seed)
	fillValues(t, reflect.ValueOf(&it).Elem(), &seed)
	f := &File{Path: "x.yaml", Meta: meta, Version: 7, Interactions: []*vcr.Interaction{&it, {}}}
	if got := roundTrip(t, f); !reflect.DeepEqual(got, f) {
		t.Errorf("round trip lost a field:\n got %#v\nwant %#v", got.Interactions[0], f.Interactions[0])
	}
}

func TestCodecKeepsNilApartFromEmpty(t *testing.T) {
	empty := &vcr.Interaction{
		Request:  vcr.Request{TransferEncoding: []string{}, Trailer: http.Header{}, Form: map[string][]string{"k": {}}, Headers: http.Header{"A": nil}},
		Response: vcr.Response{TransferEncoding: []string{}, Trailer: http.Header{}, Headers: http.Header{}},
	}
	for name, f := range map[string]*File{
		"nil interactions":   {},
		"empty interactions": {Interactions: []*vcr.Interaction{}},
		"nil fields":         {Interactions: []*vcr.Interaction{{}}},
		"empty fields":       {Interactions: []*vcr.Interaction{empty}},
	} {
		if got := roundTrip(t, f); !reflect.DeepEqual(got, f) {
			t.Errorf("%s: got %#v, want %#v", name, got, f)
		}
	}
}

// TestCodecMatchesCommittedCassettes decodes every committed cassette both
// ways: a cached cassette must be exactly what the YAML parse gives.
func TestCodecMatchesCommittedCassettes(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("..", "..", "cassettes", "*.yaml"))
	if err != nil || len(paths) == 0 {
		t.Skipf("no committed cassettes found (%v)", err)
	}
	for _, p := range paths {
		f, err := LoadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := roundTrip(t, f); !reflect.DeepEqual(got, f) {
			t.Errorf("%s: the cached form differs from the parsed one", p)
		}
	}
}

func TestEntryIsAFunctionOfContent(t *testing.T) {
	h := http.Header{}
	for i := range 20 {
		h.Set("X-H"+strconv.Itoa(i), "v")
	}
	f := &File{Version: 2, Interactions: []*vcr.Interaction{{Response: vcr.Response{Headers: h}}}}
	first := encodeEntry(f)
	for range 5 {
		if !bytes.Equal(encodeEntry(f), first) {
			t.Fatal("two encodings of the same cassette differ (map order leaked into the entry)")
		}
	}
}

// TestDecodeEntryRefusesDamage cuts and flips a valid entry everywhere:
// every damaged form must give an error, never a panic or a cassette.
func TestDecodeEntryRefusesDamage(t *testing.T) {
	f := &File{Version: 2, Meta: Meta{Source: SourceSandbox, Requirement: testID}, Interactions: []*vcr.Interaction{{
		Request:  vcr.Request{Method: "POST", URL: "https://h/x", Body: `{"a":1}`, Headers: http.Header{"A": {"b"}}},
		Response: vcr.Response{Code: 200, Body: "ok", Duration: time.Second},
	}}}
	entry := encodeEntry(f)
	for n := range len(entry) {
		if _, err := decodeEntry(entry[:n]); err == nil {
			t.Errorf("an entry cut to %d of %d bytes decoded", n, len(entry))
		}
	}
	for i := range entry {
		bad := bytes.Clone(entry)
		bad[i] ^= 0x10
		if _, err := decodeEntry(bad); err == nil {
			t.Errorf("an entry with byte %d flipped decoded", i)
		}
	}
	if _, err := decodeEntry(append(bytes.Clone(entry), 0)); err == nil {
		t.Error("an entry with a trailing byte decoded")
	}
}

// FuzzDecodeEntry feeds arbitrary payloads to the entry decoder, with a
// valid magic and checksum so the fuzzer reaches the decoding itself: an
// error or a cassette, never a panic, and what decodes survives another
// round trip unchanged.
func FuzzDecodeEntry(f *testing.F) {
	f.Add([]byte{})
	for _, file := range []*File{
		{Version: 2},
		{Version: 2, Interactions: []*vcr.Interaction{{Request: vcr.Request{Method: "GET", Headers: http.Header{"A": {"b"}}}}}},
	} {
		entry := encodeEntry(file)
		f.Add(entry[len(entryMagic) : len(entry)-4])
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		entry := append([]byte(entryMagic), payload...)
		entry = binary.BigEndian.AppendUint32(entry, crc32.Checksum(payload, crcTable))
		got, err := decodeEntry(entry)
		if err != nil {
			return
		}
		if again := roundTrip(t, got); !reflect.DeepEqual(again, got) {
			t.Fatalf("a decoded cassette changed on another round trip:\n%#v\n%#v", got, again)
		}
	})
}
