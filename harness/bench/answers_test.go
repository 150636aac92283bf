package bench

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/winston-conformance/winston-conformance/harness/cassette"
)

// recordedAnswers returns the body of every answer the committed cassettes
// hold: what a replay run must read at least once to judge anything.
func recordedAnswers(tb testing.TB, root string) [][]byte {
	tb.Helper()
	paths, err := filepath.Glob(filepath.Join(root, "cassettes", "*.yaml"))
	if err != nil || len(paths) == 0 {
		tb.Fatalf("no cassette under %s: %v", filepath.Join(root, "cassettes"), err)
	}
	var bodies [][]byte
	for _, p := range paths {
		f, err := cassette.LoadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		for _, in := range f.Interactions {
			bodies = append(bodies, []byte(in.Response.Body))
		}
	}
	return bodies
}

// benchmarkAnswers times one pass of read over every recorded answer, with
// the garbage collector off as in a suite process (collected between
// passes, off the clock).
func benchmarkAnswers(b *testing.B, bodies [][]byte, read func([]byte)) {
	b.Helper()
	size := 0
	for _, body := range bodies {
		size += len(body)
	}
	b.SetBytes(int64(size))
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, body := range bodies {
			read(body)
		}
		b.StopTimer()
		runtime.GC()
		b.StartTimer()
	}
}

// BenchmarkAnswers times the least work any replay of the committed
// cassettes must do beyond the floor, in this process (no start, no
// Ginkgo): reading every recorded answer once, as a JSON syntax scan that
// builds nothing (scan), and as a decode into Go values with numbers kept
// as text, as the schema check reads a body (decode). Their ratios to the
// floor run bound replay/floor from below: a run that judges every answer
// costs at least the floor plus a scan.
func BenchmarkAnswers(b *testing.B) {
	root, err := Root(".")
	if err != nil {
		b.Fatal(err)
	}
	bodies := recordedAnswers(b, root)
	b.Run("scan", func(b *testing.B) {
		valid := 0
		benchmarkAnswers(b, bodies, func(body []byte) {
			if json.Valid(body) {
				valid++
			}
		})
		if valid == 0 {
			b.Fatal("no recorded answer is JSON: the cassettes are not the suite's")
		}
	})
	decode := func(body []byte) {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		var v any
		_ = dec.Decode(&v) // a plain-text answer (a 401's text) stops at its first byte, as a check's read does
	}
	b.Run("decode", func(b *testing.B) { benchmarkAnswers(b, bodies, decode) })
	// Many checks read the same answer (one full page of bills serves
	// four of them): a run that decoded each distinct answer once, and
	// shared the result, would still decode these.
	b.Run("decode-distinct", func(b *testing.B) { benchmarkAnswers(b, distinct(bodies), decode) })
}

// distinct is bodies without repeats, in first-seen order.
func distinct(bodies [][]byte) [][]byte {
	seen := make(map[string]bool, len(bodies))
	var out [][]byte
	for _, body := range bodies {
		if !seen[string(body)] {
			seen[string(body)] = true
			out = append(out, body)
		}
	}
	return out
}
