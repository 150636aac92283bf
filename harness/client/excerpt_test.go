package client

import (
	"strings"
	"testing"

	"github.com/winston-conformance/winston-conformance/harness/redact"
)

// An escaped form of a key can be several times the key's length: one
// that starts before the excerpt's end is redacted whole, not cut first and
// left half readable.
func TestAnExcerptNeverCutsAnEscapedKey(t *testing.T) {
	const key = "Xk2+Pq9/Lm4=Rt7+Vw1/Yz6=Ab3+Cd8/"
	if !redact.Global().Add(key, "<EXCERPT_KEY>") {
		t.Fatal("the key was not registered")
	}
	escaped := strings.NewReplacer("+", "&#x0002B;", "/", "&#x0002F;", "=", "&#x0003D;").Replace(key)
	for _, before := range []int{ExcerptLen - 4, ExcerptLen - len(escaped)/2, ExcerptLen - len(escaped) + 1} {
		body := []byte(strings.Repeat("x", before) + escaped + strings.Repeat("y", 2*len(escaped)))
		got := redactedExcerpt(body)
		if strings.Contains(got, "Xk2") || strings.Contains(got, "Pq9") {
			t.Errorf("%d bytes before the key: the excerpt shows part of it: ...%s", before, got[max(len(got)-60, 0):])
		}
	}
	if got := near([]byte(`{"a":"`+escaped+`"}`), 10); strings.Contains(got, "Xk2") || strings.Contains(got, "Pq9") {
		t.Errorf("near quoted part of a key: %s", got)
	}
}

// Redaction shortens a text: with many keys in a body, a window cut before
// redacting let the cut-off part of a key slide into the excerpt.
func TestAnExcerptOfManyKeysShowsNoPartOfOne(t *testing.T) {
	const key = "Q7+Mm3/Zz8+Kk1/Pp5+Ww2/"
	if !redact.Global().Add(key, "<EXCERPT_KEY_2>") {
		t.Fatal("the key was not registered")
	}
	escaped := strings.NewReplacer("+", "&#x0002B;", "/", "&#x0002F;").Replace(key)
	for _, form := range []string{key, escaped} {
		got := redactedExcerpt([]byte(strings.Repeat(form+" ", 200)))
		if strings.Contains(got, "Q7") || strings.Contains(got, "Mm3") {
			t.Errorf("the excerpt shows part of a key: ...%s", got[max(len(got)-60, 0):])
		}
	}
}
