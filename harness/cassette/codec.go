package cassette

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"net/http"
	"net/url"
	"sort"
	"time"
	"unsafe"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"
)

// The parsed-cassette cache stores a File in a compact binary form instead
// of YAML because decoding it is what a replay run pays on every start:
// the whole cassettes/ directory decodes in about a millisecond, against
// some 50 ms for the YAML. gob would do the same work in about 4 ms and
// would turn an empty header map into a nil one; this form keeps every
// value exactly as the YAML parse gave it, so a cached cassette replays
// byte for byte like a parsed one.
//
// Layout: entryMagic, the payload, and the CRC-32C of the payload (4 bytes,
// big endian). Integers are varints; a string is its length and bytes; a
// slice or map is its length plus one, 0 meaning nil; map keys are sorted
// so that an entry is a function of its content.

// entryMagic starts every cache entry; a file without it is ignored.
const entryMagic = "WNSTCAS1"

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// encodeEntry renders the content of f (not its Path) as a cache entry.
func encodeEntry(f *File) []byte {
	e := &encoder{b: make([]byte, 0, 4096)}
	e.b = append(e.b, entryMagic...)
	m := &f.Meta
	for _, s := range []string{m.Source, m.Note, m.RecordedAt, m.ReferenceNow, m.Target, m.SuiteVersion, m.Requirement} {
		e.str(s)
	}
	e.int(int64(m.InteractionCount))
	e.int(int64(f.Version))
	e.count(len(f.Interactions), f.Interactions == nil)
	for _, it := range f.Interactions {
		e.interaction(it)
	}
	sum := crc32.Checksum(e.b[len(entryMagic):], crcTable)
	return binary.BigEndian.AppendUint32(e.b, sum)
}

// decodeEntry reads back what encodeEntry wrote. Any damage (a wrong
// magic, a checksum mismatch, a length running past the end, trailing
// bytes) is an error; the caller then parses the YAML instead. The
// File's strings share b's memory, so b must not change afterwards.
func decodeEntry(b []byte) (*File, error) {
	if len(b) < len(entryMagic)+4 || string(b[:len(entryMagic)]) != entryMagic {
		return nil, errors.New("not a cassette cache entry")
	}
	payload, tail := b[len(entryMagic):len(b)-4], b[len(b)-4:]
	if crc32.Checksum(payload, crcTable) != binary.BigEndian.Uint32(tail) {
		return nil, errors.New("checksum mismatch")
	}
	// The payload read as a string, not copied: every decoded string is
	// a slice of it, so decoding allocates per value, not per byte. b is
	// the caller's to give up (parsedCache.read reads it for this call
	// alone and never writes to it again).
	d := &decoder{s: unsafe.String(unsafe.SliceData(payload), len(payload))} // #nosec G103 -- a read-only view of a buffer its owner never writes again (see above)
	f := &File{}
	m := &f.Meta
	for _, p := range []*string{&m.Source, &m.Note, &m.RecordedAt, &m.ReferenceNow, &m.Target, &m.SuiteVersion, &m.Requirement} {
		*p = d.str()
	}
	m.InteractionCount = int(d.int())
	f.Version = int(d.int())
	if n, isNil := d.count(); !isNil {
		f.Interactions = make([]*cassette.Interaction, n)
		for i := range f.Interactions {
			f.Interactions[i] = d.interaction()
		}
	}
	if d.err == nil && d.off != len(d.s) {
		d.err = fmt.Errorf("%d bytes after the last interaction", len(d.s)-d.off)
	}
	if d.err != nil {
		return nil, d.err
	}
	return f, nil
}

// encoder appends values to b.
type encoder struct{ b []byte }

func (e *encoder) int(v int64)  { e.b = binary.AppendVarint(e.b, v) }
func (e *encoder) uint(v int)   { e.b = binary.AppendUvarint(e.b, uint64(v)) } //nolint:gosec // lengths are never negative
func (e *encoder) str(s string) { e.uint(len(s)); e.b = append(e.b, s...) }

func (e *encoder) boolean(v bool) {
	if v {
		e.b = append(e.b, 1)
	} else {
		e.b = append(e.b, 0)
	}
}

// count writes a length, keeping nil apart from empty.
func (e *encoder) count(n int, isNil bool) {
	if isNil {
		e.uint(0)
		return
	}
	e.uint(n + 1)
}

func (e *encoder) strs(v []string) {
	e.count(len(v), v == nil)
	for _, s := range v {
		e.str(s)
	}
}

func (e *encoder) multimap(m map[string][]string) {
	e.count(len(m), m == nil)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		e.str(k)
		e.strs(m[k])
	}
}

// interaction writes every field the YAML holds; DiscardOnSave and the
// replay state are not in the YAML (yaml:"-") and are not stored.
func (e *encoder) interaction(it *cassette.Interaction) {
	e.int(int64(it.ID))
	rq := &it.Request
	e.str(rq.Proto)
	e.int(int64(rq.ProtoMajor))
	e.int(int64(rq.ProtoMinor))
	e.int(rq.ContentLength)
	e.strs(rq.TransferEncoding)
	e.multimap(rq.Trailer)
	e.str(rq.Host)
	e.str(rq.RemoteAddr)
	e.str(rq.RequestURI)
	e.str(rq.Body)
	e.multimap(rq.Form)
	e.multimap(rq.Headers)
	e.str(rq.URL)
	e.str(rq.Method)
	rs := &it.Response
	e.str(rs.Proto)
	e.int(int64(rs.ProtoMajor))
	e.int(int64(rs.ProtoMinor))
	e.strs(rs.TransferEncoding)
	e.multimap(rs.Trailer)
	e.int(rs.ContentLength)
	e.boolean(rs.Uncompressed)
	e.str(rs.Body)
	e.multimap(rs.Headers)
	e.str(rs.Status)
	e.int(int64(rs.Code))
	e.int(int64(rs.Duration))
}

// decoder reads values from s. The first error sticks and every later
// read returns a zero value, so callers check err once at the end.
type decoder struct {
	s   string
	off int
	err error
}

func (d *decoder) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("truncated or damaged %s at byte %d", what, d.off)
	}
}

func (d *decoder) uint() uint64 {
	var v uint64
	for shift := uint(0); shift < 64 && d.off < len(d.s); shift += 7 {
		c := d.s[d.off]
		d.off++
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v
		}
	}
	d.fail("integer")
	return 0
}

func (d *decoder) int() int64 {
	u := d.uint()
	return int64(u>>1) ^ -int64(u&1) //nolint:gosec // zig-zag decoding, as binary.Varint does
}

// length reads a length and refuses one longer than the bytes left, so a
// damaged entry cannot ask for a huge allocation.
func (d *decoder) length(what string) int {
	n := d.uint()
	if d.err != nil || n > d.left() {
		d.fail(what)
		return 0
	}
	return int(n) //nolint:gosec // n <= d.left(), which came from an int
}

// left is the number of bytes not yet read.
func (d *decoder) left() uint64 {
	return uint64(len(d.s) - d.off) //nolint:gosec // off never passes len(s)
}

func (d *decoder) str() string {
	n := d.length("string")
	if d.err != nil {
		return ""
	}
	s := d.s[d.off : d.off+n]
	d.off += n
	return s
}

func (d *decoder) boolean() bool {
	if d.off >= len(d.s) || d.s[d.off] > 1 {
		d.fail("boolean")
		return false
	}
	d.off++
	return d.s[d.off-1] == 1
}

// count reads what encoder.count wrote. Every element takes at least one
// byte, so a count above the bytes left is damage.
func (d *decoder) count() (n int, isNil bool) {
	v := d.uint()
	if d.err != nil || v == 0 {
		return 0, true
	}
	if v-1 > d.left() {
		d.fail("count")
		return 0, true
	}
	return int(v - 1), false //nolint:gosec // bounded by the entry's length just above
}

func (d *decoder) strs() []string {
	n, isNil := d.count()
	if isNil {
		return nil
	}
	v := make([]string, n)
	for i := range v {
		v[i] = d.str()
	}
	return v
}

func (d *decoder) multimap() map[string][]string {
	n, isNil := d.count()
	if isNil {
		return nil
	}
	m := make(map[string][]string, n)
	for range n {
		k := d.str()
		m[k] = d.strs()
	}
	return m
}

func (d *decoder) interaction() *cassette.Interaction {
	it := &cassette.Interaction{ID: int(d.int())}
	rq := &it.Request
	rq.Proto = d.str()
	rq.ProtoMajor = int(d.int())
	rq.ProtoMinor = int(d.int())
	rq.ContentLength = d.int()
	rq.TransferEncoding = d.strs()
	rq.Trailer = http.Header(d.multimap())
	rq.Host = d.str()
	rq.RemoteAddr = d.str()
	rq.RequestURI = d.str()
	rq.Body = d.str()
	rq.Form = url.Values(d.multimap())
	rq.Headers = http.Header(d.multimap())
	rq.URL = d.str()
	rq.Method = d.str()
	rs := &it.Response
	rs.Proto = d.str()
	rs.ProtoMajor = int(d.int())
	rs.ProtoMinor = int(d.int())
	rs.TransferEncoding = d.strs()
	rs.Trailer = http.Header(d.multimap())
	rs.ContentLength = d.int()
	rs.Uncompressed = d.boolean()
	rs.Body = d.str()
	rs.Headers = http.Header(d.multimap())
	rs.Status = d.str()
	rs.Code = int(d.int())
	rs.Duration = time.Duration(d.int())
	return it
}
