package redact

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

const planted = "PLANTED-k3y-0123456789abcdef"

func TestStringAndBase64AtEveryAlignment(t *testing.T) {
	r := New()
	if !r.Add(planted, "<WINSTON_API_KEY>") {
		t.Fatal("Add refused a long key")
	}
	if got := r.String("Token api_test@" + planted); got != "Token api_test@<WINSTON_API_KEY>" {
		t.Errorf("got %q", got)
	}
	for _, prefix := range []string{"", "a", "ab", "api_test:", "api_test@"} {
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
			s := "Basic " + enc.EncodeToString([]byte(prefix+planted+"tail"))
			got := r.String(s)
			if got == s || !strings.Contains(got, "<WINSTON_API_KEY:base64>") {
				t.Errorf("prefix %q: base64 form not redacted: %s", prefix, got)
			}
		}
	}
}

func TestShortSecretsRefused(t *testing.T) {
	r := New()
	if r.Add("", "<K>") || r.Add("abc", "<K>") {
		t.Error("short secrets must be refused")
	}
	if got := r.String("abc"); got != "abc" {
		t.Errorf("got %q", got)
	}
}

func TestErrorKeepsChain(t *testing.T) {
	r := New()
	r.Add(planted, "<K>")
	base := errors.New("dial " + planted)
	err := r.Error(fmt.Errorf("wrap: %w", base))
	if strings.Contains(err.Error(), planted) {
		t.Errorf("error not redacted: %v", err)
	}
	if !errors.Is(err, base) {
		t.Error("redacted error lost its chain")
	}
	if r.Error(nil) != nil {
		t.Error("nil error must stay nil")
	}
}

func TestWriterSplitsAcrossWrites(t *testing.T) {
	r := New()
	r.Add(planted, "<K>")
	var out bytes.Buffer
	w := r.Writer(&out)
	msg := "first line\nkey=" + planted + " end\nno newline " + planted
	for i := 0; i < len(msg); i += 3 {
		end := min(i+3, len(msg))
		if _, err := w.Write([]byte(msg[i:end])); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), planted) || strings.Count(out.String(), "<K>") != 2 {
		t.Errorf("writer output: %q", out.String())
	}
}

// A text with no newline is written out once 64 KiB pile up; a key split
// across that point, or lying across it whole, must still be redacted.
func TestWriterLongLineKeepsAKeyWhole(t *testing.T) {
	for _, split := range []int{1, 5, len(planted) - 1} {
		for pad := 0; pad < len(planted)+2; pad++ {
			r := New()
			r.Add(planted, "<K>")
			var out bytes.Buffer
			w := r.Writer(&out)
			first := strings.Repeat("x", 64<<10-split-pad) + planted[:split]
			second := planted[split:] + strings.Repeat("y", pad) + planted + " end"
			for _, part := range []string{first, second} {
				if _, err := w.Write([]byte(part)); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if got := out.String(); strings.Contains(got, planted[:4]) || strings.Count(got, "<K>") != 2 {
				t.Fatalf("split %d, pad %d: the key is not redacted whole (%d placeholders)", split, pad, strings.Count(got, "<K>"))
			}
		}
	}
}

func TestEscapedFormsAreRedacted(t *testing.T) {
	const key = `q8Fz+Tk/9Lw2<m&"x'=%\9z`
	r := New()
	if !r.Add(key, "<WINSTON_API_KEY>") {
		t.Fatal("Add refused the key")
	}
	jsonHTML, _ := json.Marshal(key)
	var plain bytes.Buffer
	enc := json.NewEncoder(&plain)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(key)
	forms := map[string]string{
		"query":           url.QueryEscape(key),
		"path":            url.PathEscape(key),
		"json":            string(jsonHTML),
		"json, no html":   strings.TrimSpace(plain.String()),
		"json, escaped /": strings.ReplaceAll(strings.TrimSpace(plain.String()), "/", `\/`),
		"go quoted":       strconv.Quote(key),
		"html":            html.EscapeString(key),
		"json \\u":        `q8Fz\u002bTk\u002f9Lw2\u003cm\u0026\u0022x\u0027\u003d\u0025\u005c9z`,
	}
	for name, form := range forms {
		text := "invalid token " + form + " (received)"
		got := r.String(text)
		if strings.Contains(got, "9Lw2") {
			t.Errorf("%s form %q survives redaction: %q", name, form, got)
		}
		if !strings.Contains(got, "<WINSTON_API_KEY>") {
			t.Errorf("%s form: no placeholder in %q", name, got)
		}
	}
	if forms := EscapedForms("PlainKey123"); len(forms) != 0 {
		t.Errorf("a key of letters and digits has no escaped forms, got %q", forms)
	}
}

func TestTouchesSeesASecretAndItsPlaceholder(t *testing.T) {
	r := New()
	r.Add("touched-secret-42", "<TOUCHED>")
	for s, want := range map[string]bool{"a touched-secret-42 b": true, "a <TOUCHED> b": true, "plain": false, "": false} {
		if got := r.Touches(s); got != want {
			t.Errorf("Touches(%q) = %v, want %v", s, got, want)
		}
	}
}

// Bytes never writes to the slice it is given, with a key in it or not:
// callers pass bodies they still hold, without a copy.
func TestBytesLeavesItsInputAlone(t *testing.T) {
	r := New()
	r.Add("Zq8t+Lm3/Xv9Kp2Wd7Rf0aBc", "<K>")
	for _, text := range []string{
		"no key here at all, just text",
		"key Zq8t+Lm3/Xv9Kp2Wd7Rf0aBc and again Zq8t+Lm3/Xv9Kp2Wd7Rf0aBc",
		`loose Zq8t\u002BLm3/Xv9Kp2Wd7Rf0aBc`,
	} {
		in := []byte(text)
		out := r.Bytes(in)
		if string(in) != text {
			t.Errorf("Bytes changed its input to %q", in)
		}
		if text != "no key here at all, just text" && strings.Contains(string(out), "Xv9Kp2Wd7Rf0aBc") {
			t.Errorf("Bytes left the key in %q", out)
		}
	}
}

// A key that is not valid UTF-8 (a paste gone wrong) is registered
// without a panic, whose message would quote it, and redacted as is.
func TestAKeyThatIsNotUTF8IsRedactedWithoutAPanic(t *testing.T) {
	r := New()
	const key = "Zq8t+Lm3/\xffXv9Kp2Wd7Rf0aBc"
	r.Add(key, "<K>")
	if got := r.String("a " + key + " b"); strings.Contains(got, "Xv9Kp2Wd7Rf0aBc") {
		t.Errorf("String left %q", got)
	}
}

// A key echoed upper-cased, lower-cased or hex-encoded is redacted; a
// short value is not cased, so that an ordinary word is never taken for it.
func TestTransformedFormsOfAKeyAreRedacted(t *testing.T) {
	r := New()
	const key = "Zq8t-Lm3Xv9Kp2Wd7Rf0aBc"
	r.Add(key, "<K>")
	for _, form := range []string{strings.ToUpper(key), strings.ToLower(key), hex.EncodeToString([]byte(key)), strings.ToUpper(hex.EncodeToString([]byte(key)))} {
		if got := r.String("invalid token " + form); strings.Contains(got, form) {
			t.Errorf("String left the form %q: %q", form, got)
		}
	}
	short := New()
	short.Add("Secret", "<S>")
	if got := short.String("a secret word"); got != "a secret word" {
		t.Errorf("a short key's lower-cased form redacted ordinary text: %q", got)
	}
}

// A public stand-in is shown as its placeholder, as is, and is no key the
// leak scan looks for.
func TestAPublicStandInIsReplacedButNotHunted(t *testing.T) {
	r := New()
	r.AddPublic("replay-mode-stand-in-key", "<K>")
	if got := r.String("Token api_test@replay-mode-stand-in-key"); got != "Token api_test@<K>" {
		t.Errorf("String = %q", got)
	}
	if len(r.Keys()) != 0 {
		t.Errorf("Keys = %q, want none", r.Keys())
	}
	if got := r.String("REPLAY-MODE-STAND-IN-KEY"); got != "REPLAY-MODE-STAND-IN-KEY" {
		t.Errorf("a public value's forms are hunted: %q", got)
	}
}

// A key echoed inside a JSON string that is itself quoted in another JSON
// string (an error wrapping an upstream error), or escaped and then
// base64-encoded, is replaced where it is captured: the leak scan looks
// for these second-level forms, so a redactor that missed them would have
// the report refused as a leak rather than written.
func TestSecondLevelFormsAreRedacted(t *testing.T) {
	const key = `q8Fz+Tk/9Lw2<m&"x'=%\9z`
	r := New()
	if !r.Add(key, "<WINSTON_API_KEY>") {
		t.Fatal("Add refused the key")
	}
	inner, _ := json.Marshal(map[string]string{"error": "invalid token " + key})
	outer, _ := json.Marshal(map[string]string{"upstream": string(inner)})
	twiceQuery := url.QueryEscape(url.QueryEscape(key))
	escaped, _ := json.Marshal(key)
	b64OfEscaped := base64.StdEncoding.EncodeToString([]byte("x" + string(escaped) + "y"))
	for name, text := range map[string]string{
		"json in json":          string(outer),
		"url-encoded twice":     "next=" + twiceQuery,
		"base64 of json-quoted": "blob " + b64OfEscaped + " end",
	} {
		got := r.String(text)
		if strings.Contains(got, "9Lw2") {
			t.Errorf("%s: the key survives redaction: %q", name, got)
		}
		if !strings.Contains(got, "<WINSTON_API_KEY") {
			t.Errorf("%s: no placeholder in %q", name, got)
		}
		if r.Contains([]byte(got)) {
			t.Errorf("%s: the redacted text still holds a form of the key: %q", name, got)
		}
	}
}

// A key escaped the .NET way (upper-case \u, some signs left bare) and
// then quoted inside another JSON string (an upstream's error wrapped by a
// gateway) has each backslash doubled: it is redacted all the same, at
// any of three levels of quoting.
func TestMixedEscapesQuotedAgainAreRedacted(t *testing.T) {
	const key = `Ab+/c=d&e%f_live_key_9xY+/==`
	r := New()
	if !r.Add(key, "<WINSTON_API_KEY>") {
		t.Fatal("Add refused the key")
	}
	mixed := strings.NewReplacer("+", `\u002B`, "/", `\u002F`, "=", `\u003D`, "&", `\u0026`).Replace(key)
	text := "received Token api_test@" + mixed
	for level := 1; level <= 3; level++ {
		quoted, _ := json.Marshal(text)
		text = string(quoted)
		got := r.String(text)
		if strings.Contains(got, "live_key_9xY") {
			t.Errorf("quoted %d time(s): the key survives: %s", level, got)
		}
		if !r.Contains([]byte(text)) {
			t.Errorf("quoted %d time(s): Contains misses the key", level)
		}
	}
}
