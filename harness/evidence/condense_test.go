package evidence

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestExcerptKeepsValidUTF8(t *testing.T) {
	s := []byte(strings.Repeat("é", 10)) // 2 bytes each
	if got := Excerpt(s, 5); got != "éé" {
		t.Errorf("Excerpt cut a rune: %q", got)
	}
	if got := Excerpt([]byte{0xff, 'a'}, 10); !utf8.ValidString(got) || got != "\uFFFDa" {
		t.Errorf("invalid bytes kept: %q", got)
	}
	if got := Excerpt([]byte("short"), 10); got != "short" {
		t.Errorf("a short body changed: %q", got)
	}
}

func burst(n int, latency time.Duration) []Exchange {
	out := make([]Exchange, n)
	for i := range out {
		out[i] = Exchange{Method: "POST", URL: "https://t.invalid/api/v2/bills", AuthShape: "valid", RequestBody: `{"limit":1}`,
			Status: 200, ResponseBody: strings.Repeat("x", 3000), ResponseBytes: 3000, Latency: latency * time.Duration(i+1)}
	}
	return out
}

func TestCondenseFoldsRepeatsAndKeepsTheirLatencies(t *testing.T) {
	ex := burst(4, time.Millisecond)
	limited := ex[0]
	limited.Status = 429
	ex = append(ex, limited)
	got := Condense(ex)
	if len(got) != 2 {
		t.Fatalf("want the 200s folded into one and the 429 kept: got %d exchanges", len(got))
	}
	if got[0].Repeats != 3 || got[1].Status != 429 || got[1].Repeats != 0 {
		t.Errorf("folding: %+v / %+v", got[0].Repeats, got[1])
	}
	lat := got[0].Latencies()
	if len(lat) != 4 || lat[0] != time.Millisecond || lat[3] != 4*time.Millisecond {
		t.Errorf("latencies of the folded exchanges lost: %v", lat)
	}
	if len(got[0].ResponseBody) != PassedExcerptLen+len(CutMark) || !strings.HasSuffix(got[0].ResponseBody, CutMark) || got[0].ResponseBytes != 3000 {
		t.Errorf("body not cut to %d bytes and marked, or the full length lost: %d, %d", PassedExcerptLen, len(got[0].ResponseBody), got[0].ResponseBytes)
	}
}

func TestCondenseNeverFoldsWhatTellsSomething(t *testing.T) {
	base := burst(1, 0)[0]
	odd := []func(*Exchange){
		func(e *Exchange) { e.Error = "reset"; e.Status = 0 },
		func(e *Exchange) { e.Unavailable = true },
		func(e *Exchange) { e.ReplayMiss = true },
		func(e *Exchange) { e.Retries = 2 },
		func(e *Exchange) { e.RequestBody = `{"limit":2}` },
		func(e *Exchange) { e.AuthShape = "none" },
	}
	for i, mutate := range odd {
		a, b := base, base
		mutate(&a)
		mutate(&b)
		got := Condense([]Exchange{base, a, b})
		folded := 0
		for _, e := range got {
			folded += e.Repeats
		}
		switch {
		case i < 4 && (len(got) != 3 || folded != 0):
			t.Errorf("case %d: an exchange with an error, outage, miss or retry was folded: %+v", i, got)
		case i >= 4 && (len(got) != 2 || got[1].Repeats != 1):
			t.Errorf("case %d: two alike exchanges that differ from the first should fold together: %+v", i, got)
		}
	}
}

func TestCondenseReplayKeepsNoLatencies(t *testing.T) {
	got := Condense(burst(3, 0))
	if len(got) != 1 || got[0].Repeats != 2 || got[0].RepeatLatencies != nil {
		t.Errorf("replayed repeats should fold with no latency list: %+v", got)
	}
}
