package redact

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// The forms a key with signs takes when a server escapes some of its
// characters and not others, as encoders differ: .NET's JSON writer
// escapes "+" as \u002B (upper-case hex) and leaves "/" as it is; .NET's
// URL encoder writes lower-case hex; HTML numeric references; a query
// value read back through form decoding turns "+" into a space.
var looseKey = "Zq8t+Lm3/Xv9Kp2Wd7Rf0aBc"

var looseForms = map[string]string{
	"JSON, upper-case hex, one sign":   `Zq8t\u002BLm3/Xv9Kp2Wd7Rf0aBc`,
	"percent, lower-case hex":          `Zq8t%2bLm3%2fXv9Kp2Wd7Rf0aBc`,
	"percent, mixed":                   `Zq8t%2BLm3/Xv9Kp2Wd7Rf0aBc`,
	"percent twice":                    `Zq8t%252BLm3%252FXv9Kp2Wd7Rf0aBc`,
	"HTML hex reference":               `Zq8t&#x2B;Lm3&#x2F;Xv9Kp2Wd7Rf0aBc`,
	"HTML decimal reference, one sign": `Zq8t&#43;Lm3/Xv9Kp2Wd7Rf0aBc`,
	"form-decoded plus":                `Zq8t Lm3/Xv9Kp2Wd7Rf0aBc`,
	"escaped slash, upper-case plus":   `Zq8t\u002BLm3\/Xv9Kp2Wd7Rf0aBc`,
}

func TestEveryMixOfEscapesIsRedacted(t *testing.T) {
	r := New()
	r.Add(looseKey, "<K>")
	for name, form := range looseForms {
		text := `{"detail":"invalid token value: Token api_test@` + form + `"}`
		if got := r.String(text); strings.Contains(got, "Xv9Kp2Wd7Rf0aBc") || !strings.Contains(got, "<K>") {
			t.Errorf("%s: String left %q", name, got)
		}
		if got := string(r.Bytes([]byte(text))); strings.Contains(got, "Xv9Kp2Wd7Rf0aBc") {
			t.Errorf("%s: Bytes left %q", name, got)
		}
		if !r.Contains([]byte(text)) {
			t.Errorf("%s: Contains missed it", name)
		}
	}
	// Its letters and digits alone, or with other signs, are not the key.
	for _, text := range []string{"Xv9Kp2Wd7Rf0aBc", "Zq8t-Lm3/Xv9Kp2Wd7Rf0aBc", "Zq8t+Lm3/Xv9Kp2Wd7Rf0aB"} {
		if r.Contains([]byte(text)) || r.String(text) != text {
			t.Errorf("%q is not the key, but was taken for it", text)
		}
	}
}

// A key of letters and digits has no escaped form: no pattern is made.
func TestAPlainKeyHasNoLoosePattern(t *testing.T) {
	if re, _ := LoosePattern("abcdef0123456789"); re != nil {
		t.Errorf("a plain key got a pattern: %s", re)
	}
	if re, anchor := LoosePattern(looseKey); re == nil || anchor != "Xv9Kp2Wd7Rf0aBc" {
		t.Errorf("pattern %v, anchor %q; want one, anchored on the longest run of letters and digits", re, anchor)
	}
}

// A long line with no newline is written in parts: a loose form that the
// next write completes is held back whole, as an exact one is.
func TestWriterLongLineKeepsALooseFormWhole(t *testing.T) {
	form := `Zq8t&#x0002B;Lm3&#x0002F;Xv9Kp2Wd7Rf0aBc` // longer than the key and any fixed form of it
	for _, split := range []int{1, 6, 12, len(form) - 2, len(form) - 1} {
		r := New()
		r.Add(looseKey, "<K>")
		var out strings.Builder
		w := r.Writer(&out)
		first := strings.Repeat("x", 64<<10-split) + form[:split]
		second := form[split:] + " end"
		for _, part := range []string{first, second} {
			if _, err := w.Write([]byte(part)); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if got := out.String(); strings.Contains(got, "Zq8t") || strings.Contains(got, "Xv9Kp2Wd7Rf0aBc") || strings.Count(got, "<K>") != 1 {
			t.Errorf("split %d: the loose form is not redacted whole", split)
		}
	}
}

// A key of signs alone has no run of letters and digits to look for first:
// its escaped forms are redacted all the same.
func TestAKeyOfSignsAloneIsRedactedInItsEscapedForms(t *testing.T) {
	r := New()
	r.Add("+/+/+/+/+/+/", "<K>")
	for _, text := range []string{"x %2B/+/+/+/+/+/ y", `x \u002B\/+/+/+/+/+/ y`} {
		if got := r.String(text); got != "x <K> y" || !r.Contains([]byte(text)) {
			t.Errorf("%q: String gave %q, Contains %v", text, got, r.Contains([]byte(text)))
		}
	}
}

// Loose.Index, which tries the pattern only around each place the anchor
// occurs, finds a match exactly where the pattern run over the whole text
// does: for keys whose anchor starts, ends or sits inside them, occurs
// twice in them, or is a common word; with forms of every width on either
// side; after decoys that hold the anchor but not the key.
func TestLooseIndexAgreesWithThePattern(t *testing.T) {
	keys := []string{looseKey, "replay-mode-stand-in-key", "a+b/c=d&e<f>g\"h'i\\j", "++//abcdefgh", "abcdefgh++//", "ab+abcd+ab+abcd", "+/=&+/=&"}
	forms := []func(byte) string{
		func(c byte) string { return string(c) },
		func(c byte) string { return fmt.Sprintf(`\u00%02X`, c) },
		func(c byte) string { return fmt.Sprintf("%%25%02x", c) },
		func(c byte) string { return fmt.Sprintf("&#x0000%02X;", c) },
	}
	rng := rand.New(rand.NewPCG(1, 2)) //nolint:gosec // a reproducible test input
	for _, key := range keys {
		l := NewLoose(key)
		if l == nil {
			t.Fatalf("%q has no loose pattern", key)
		}
		for range 200 {
			var b strings.Builder
			// Decoys: the anchor, and the key with its last letter changed.
			for range rng.IntN(4) {
				b.WriteString(strings.Repeat("x", rng.IntN(40)) + l.Anchor() + "-")
			}
			if rng.IntN(3) == 0 {
				b.WriteString(key[:len(key)-1] + "#")
			}
			if rng.IntN(2) == 0 {
				b.WriteString(strings.Repeat(" ", rng.IntN(300)))
				for i := 0; i < len(key); i++ {
					if c := key[i]; isAlnum(rune(c)) {
						b.WriteByte(c)
					} else {
						b.WriteString(forms[rng.IntN(len(forms))](c))
					}
				}
			}
			b.WriteString(strings.Repeat("y", rng.IntN(40)))
			text := b.String()
			want := l.Regexp().MatchString(text)
			if got := l.Index([]byte(text)) >= 0; got != want {
				t.Fatalf("key %q: Index found a match %v, the pattern %v, in %q", key, got, want, text)
			}
			if got := l.IndexString(text) >= 0; got != want {
				t.Fatalf("key %q: IndexString found a match %v, the pattern %v, in %q", key, got, want, text)
			}
		}
	}
}

// A long key upper- or lower-cased and then escaped (a message shouted,
// then written by a JSON encoder that escapes "+") is found and redacted;
// a short one is not cased, so that no word is taken for it.
func TestAKeyCasedThenEscapedIsRedacted(t *testing.T) {
	r := New()
	r.Add(looseKey, "<K>")
	for _, form := range []string{`ZQ8T+LM3/XV9KP2WD7RF0ABC`, `ZQ8T\u002BLM3/XV9KP2WD7RF0ABC`, `zq8t\u002blm3/xv9kp2wd7rf0abc`, `ZQ8T&#43;LM3/XV9KP2WD7RF0ABC`, `ZQ8T LM3/XV9KP2WD7RF0ABC`} {
		if got := r.String("TOKEN API_TEST@" + form); strings.Contains(strings.ToLower(got), "xv9kp2wd7rf0abc") {
			t.Errorf("%s: left %q", form, got)
		}
	}
	if l := NewLoose("Ab+cd/Ef"); l.Regexp().MatchString("AB+CD/EF") {
		t.Error("a short key's pattern ignores case")
	}
}
