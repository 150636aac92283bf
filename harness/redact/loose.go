package redact

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// LoosePattern matches secret with each of its characters that is not an
// ASCII letter or digit written in any of the ways an encoder may write
// it, each character on its own: as is; as a JSON or Go escape (\u002B,
// \u002b, \x2b, \/ and \" included); percent-encoded in either case, or
// twice; as an HTML reference (&#x2B;, &#43;, &amp;, with up to four
// leading zeros); and "+" as the space
// form decoding makes of it. Encoders differ in which characters they
// escape and how (.NET's JSON writer turns "+" into \u002B and leaves "/"
// alone), so the fixed forms of EscapedForms cannot list every mix.
//
// anchor is the secret's longest run of letters and digits, which no such
// encoding changes: a text without it cannot match, so a search for it
// spares the pattern most texts. A secret of letters and digits alone
// has no other form and gets no pattern (nil).
func LoosePattern(secret string) (re *regexp.Regexp, anchor string) {
	var b strings.Builder
	special := false
	run := 0
	for i, c := range secret {
		if c >= 0x80 || isAlnum(c) {
			b.WriteString(regexp.QuoteMeta(string(c)))
			if c < 0x80 {
				run++
				if run > len(anchor) {
					anchor = secret[i+1-run : i+1]
				}
			}
			continue
		}
		run = 0
		special = true
		b.WriteString("(?:" + strings.Join(charForms(byte(c)), "|") + ")") // #nosec G115 -- c < 0x80 here
	}
	if !special {
		return nil, ""
	}
	return regexp.MustCompile(b.String()), anchor
}

// charForms are the patterns of the ways c may be written.
func charForms(c byte) []string {
	hex := caseless(fmt.Sprintf("%02x", c))
	forms := []string{
		regexp.QuoteMeta(string(c)),
		`\\u00` + hex,
		`\\x` + hex,
		`%` + hex,
		`%25` + hex,
		`&#[xX]0{0,4}` + hex + `;`,
		`&#0{0,4}` + strconv.Itoa(int(c)) + `;`,
	}
	switch c {
	case '&':
		forms = append(forms, `&amp;`)
	case '<':
		forms = append(forms, `&lt;`)
	case '>':
		forms = append(forms, `&gt;`)
	case '"':
		forms = append(forms, `&quot;`, `\\"`)
	case '\'':
		forms = append(forms, `&apos;`, `\\'`)
	case '/':
		forms = append(forms, `\\/`)
	case '\\':
		forms = append(forms, `\\\\`)
	case '+':
		forms = append(forms, ` `)
	case ' ':
		forms = append(forms, `\+`)
	}
	return forms
}

// caseless makes each letter of a hex number match either case.
func caseless(hex string) string {
	var b strings.Builder
	for _, d := range hex {
		if d >= 'a' && d <= 'f' {
			b.WriteString("[" + string(d) + strings.ToUpper(string(d)) + "]")
		} else {
			b.WriteRune(d)
		}
	}
	return b.String()
}

// looseForm is a secret's LoosePattern and what replaces its matches.
type looseForm struct {
	re          *regexp.Regexp
	anchor      string
	placeholder string
	secret      string
	// maxLen bounds the length of a match: a Writer holds back that much
	// of a long line, which may end inside one.
	maxLen int
}

// maxLooseForm is the longest way charForms writes one character
// (&#x00002B; and the like).
const maxLooseForm = len("&#x00002B;")
