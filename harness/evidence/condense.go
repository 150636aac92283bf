package evidence

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// PassedExcerptLen is the most bytes of a body an exchange keeps once its
// requirement has passed: enough to show what the answer looked like.
// A failed requirement keeps the full excerpt its client took, since that
// is what a reviewer reads to see what went wrong.
const PassedExcerptLen = 512

// Condense shortens the evidence of a requirement that passed (or was
// skipped): bodies are cut to PassedExcerptLen, and an exchange that
// repeats an earlier one (same method, URL, auth, request body and
// status, with no error or retry) is folded into the first, which counts
// it in Repeats and keeps its latency in RepeatLatencies. Exchanges that
// carry an error, a retry, an outage or a replay miss are never folded.
// The order of what is kept is the order of ex.
func Condense(ex []Exchange) []Exchange {
	out := make([]Exchange, 0, len(ex))
	first := map[string]int{} // fold key -> index in out
	for _, e := range ex {
		if key, ok := foldKey(e); ok {
			if i, seen := first[key]; seen {
				out[i].Repeats++
				if e.Latency > 0 || len(out[i].RepeatLatencies) > 0 {
					out[i].RepeatLatencies = append(out[i].RepeatLatencies, e.Latency)
				}
				continue
			}
			first[key] = len(out)
		}
		e.RequestBody = MarkedExcerpt([]byte(e.RequestBody), PassedExcerptLen)
		e.ResponseBody = MarkedExcerpt([]byte(e.ResponseBody), PassedExcerptLen)
		out = append(out, e)
	}
	return out
}

// foldKey says what makes two exchanges alike, and whether e may be folded.
func foldKey(e Exchange) (string, bool) {
	if e.Error != "" || e.Unavailable || e.ReplayMiss || e.Retries > 0 || e.Status == 0 || e.Repeats > 0 {
		return "", false
	}
	return strings.Join([]string{e.Method, e.URL, e.AuthShape, e.RequestBody, e.Cassette, strconv.Itoa(e.Status)}, "\x00"), true
}

// Latencies are the latencies of e and of the exchanges folded into it.
func (e Exchange) Latencies() []time.Duration {
	return append([]time.Duration{e.Latency}, e.RepeatLatencies...)
}

// CutMark ends an excerpt shorter than the body it was cut from, so that
// a reader never takes the cut for a truncated answer.
const CutMark = " … (cut)"

// MarkedExcerpt is Excerpt, with CutMark after it when s was longer than n
// (a body cut before, and so marked, loses its mark to the new one).
func MarkedExcerpt(s []byte, n int) string {
	if len(s) <= n {
		return string(s)
	}
	return Excerpt(s, n) + CutMark
}

// Excerpt is the first n bytes of s (all of s when shorter) as valid
// UTF-8: a rune cut in half at the end is dropped, and bytes that were
// never valid UTF-8 become U+FFFD.
func Excerpt(s []byte, n int) string {
	if len(s) > n {
		s = s[:n]
		// Drop a rune cut in half (at most UTFMax-1 bytes), not bytes
		// that were never valid UTF-8.
		for i := 0; i < utf8.UTFMax-1 && len(s) > 0; i++ {
			if r, size := utf8.DecodeLastRune(s); r != utf8.RuneError || size > 1 {
				break
			}
			s = s[:len(s)-1]
		}
	}
	return strings.ToValidUTF8(string(s), "\uFFFD")
}
