package redact

import (
	"strings"
	"testing"
)

func naiveIn(needles []string, s string) bool {
	for _, n := range needles {
		if n != "" && strings.Contains(s, n) {
			return true
		}
	}
	return false
}

func TestFinderFindsEveryNeedleAnywhere(t *testing.T) {
	key := "k3y-of-the-tenant-0123456789"
	needles := append([]string{key}, Base64Forms(key)...)
	f := NewFinder(needles)
	for _, n := range needles {
		for _, s := range []string{n, "x" + n, n + "y", strings.Repeat("ab", 500) + n + strings.Repeat("c", 3)} {
			if !f.InString(s) || !f.In([]byte(s)) {
				t.Errorf("%q not found in %q", n, s)
			}
		}
		if f.InString(n[:len(n)-1]) && !naiveIn(needles, n[:len(n)-1]) {
			t.Errorf("a needle cut short was found: %q", n[:len(n)-1])
		}
	}
	for _, s := range []string{"", "k", key[:5], strings.Repeat("k3y-", 100), "Token api_test@<WINSTON_API_KEY>"} {
		if f.InString(s) != naiveIn(needles, s) {
			t.Errorf("%q: Finder says %v", s, f.InString(s))
		}
	}
	if NewFinder(nil).InString(key) || (*Finder)(nil).InString(key) || NewFinder([]string{""}).InString(key) {
		t.Error("a Finder of no needles found something")
	}
}

// TestFinderFindsANeedleAtEveryAlignment plants each needle at every
// offset around a block boundary, in texts that end right after it or
// run on, for both searches: long needles only (blocks) and with a short
// one among them (rolling hash).
func TestFinderFindsANeedleAtEveryAlignment(t *testing.T) {
	key := "k3y-of-the-tenant-0123456789"
	long := append([]string{key}, Base64Forms(key)...)
	for _, c := range []struct {
		name    string
		needles []string
		blocks  bool
	}{
		{"long needles", long, true},
		{"shortest block needle", []string{key[:blockMin]}, true},
		{"one needle too short for blocks", append([]string{key[:blockMin-1]}, long...), false},
	} {
		f := NewFinder(c.needles)
		if (f.blocks != nil) != c.blocks {
			t.Errorf("%s: block search %v, want %v", c.name, f.blocks != nil, c.blocks)
		}
		for _, n := range c.needles {
			for pad := 0; pad <= 2*blockSize; pad++ {
				for _, tail := range []string{"", "z", strings.Repeat("z", blockSize+1)} {
					text := strings.Repeat(".", pad) + n + tail
					if !f.InString(text) || !f.In([]byte(text)) {
						t.Errorf("%s: %q not found after %d bytes, %d after it", c.name, n, pad, len(tail))
					}
					cut := strings.Repeat(".", pad) + n[:len(n)-1] + "\x00" + tail
					if f.InString(cut) != naiveIn(c.needles, cut) {
						t.Errorf("%s: %q cut short: Finder %v", c.name, cut, f.InString(cut))
					}
				}
			}
		}
	}
}

func TestRedactorSkipsTextWithoutSecrets(t *testing.T) {
	r := New()
	r.Add("s3cret-value-42", "<K>")
	clean := []byte("nothing to see here, {\"a\":1}")
	if got := r.Bytes(clean); &got[0] != &clean[0] {
		t.Error("text without a secret should come back as it is, not copied")
	}
	if got := r.String("a s3cret-value-42 b"); got != "a <K> b" {
		t.Errorf("got %q", got)
	}
}

// FuzzFinder holds Finder to strings.Contains over each needle.
func FuzzFinder(f *testing.F) {
	f.Add("secret1", "abcdef", "xxsecret1yy")
	f.Add("aaaaaa", "aaaab", "aaaaabaaaaaa")
	f.Add("\xff\x00abcd", "zzzzzzzz", "\xff\x00abc")
	f.Add("k3y-of-the-tenant-0123", "0123456789abcdef", "....k3y-of-the-tenant-0123 ..0123456789abcdeX")
	f.Fuzz(func(t *testing.T, a, b, text string) {
		needles := []string{a, b}
		if got, want := NewFinder(needles).InString(text), naiveIn(needles, text); got != want {
			t.Fatalf("needles %q in %q: Finder %v, strings.Contains %v", needles, text, got, want)
		}
		// A needle planted anywhere is found.
		if a != "" {
			planted := text[:len(text)/2] + a + text[len(text)/2:]
			if !NewFinder(needles).In([]byte(planted)) {
				t.Fatalf("planted %q not found in %q", a, planted)
			}
		}
	})
}

// BenchmarkFinder measures the search of a report-sized text without a
// secret, the common case: by blocks for the keys and their base64
// forms, and by rolling hash when a short needle forces it.
func BenchmarkFinder(b *testing.B) {
	key := "k3y-of-the-tenant-0123456789"
	long := append([]string{key}, Base64Forms(key)...)
	text := []byte(strings.Repeat(`{"_id":"bill-0042","total":12.50,"items":[{"name":"Espresso","qty":2}]},`, 4000))
	for _, c := range []struct {
		name    string
		needles []string
	}{{"blocks", long}, {"rolling", append([]string{key[:blockMin-1]}, long...)}} {
		f := NewFinder(c.needles)
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				if f.In(text) {
					b.Fatal("found a needle in a text without one")
				}
			}
		})
	}
}
