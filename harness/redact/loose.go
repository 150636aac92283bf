package redact

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// LoosePattern matches secret with each of its characters that is not an
// ASCII letter or digit written in any of the ways an encoder may write
// it, each character on its own: as is; as a JSON or Go escape (\u002B,
// \u002b, \x2b, \/ and \" included), its backslash doubled for each time
// the text was quoted in JSON again, up to three; percent-encoded in either
// case, up to four times; as an HTML reference (&#x2B;, &#43;, &amp;, with up to four
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
	re, anchor, _ = loosePattern(secret)
	return re, anchor
}

// loosePattern is LoosePattern, and where the anchor starts in secret.
func loosePattern(secret string) (re *regexp.Regexp, anchor string, at int) {
	expr, anchor, at := loosePatternText(secret)
	if expr == "" {
		return nil, "", 0
	}
	return regexp.MustCompile(expr), anchor, at
}

// loosePatternText is the text of LoosePattern ("" when there is none),
// its anchor, and where the anchor starts in secret.
func loosePatternText(secret string) (expr, anchor string, at int) {
	var b strings.Builder
	special := false
	run := 0
	for i, c := range secret {
		if c >= 0x80 || isAlnum(c) {
			b.WriteString(regexp.QuoteMeta(string(c)))
			if c < 0x80 {
				run++
				if run > len(anchor) {
					at = i + 1 - run
					anchor = secret[at : i+1]
				}
			}
			continue
		}
		run = 0
		special = true
		b.WriteString("(?:" + strings.Join(charForms(byte(c)), "|") + ")") // #nosec G115 -- c < 0x80 here
	}
	if !special {
		return "", "", 0
	}
	return b.String(), anchor, at
}

// Loose finds a secret's LoosePattern in a text. The anchor alone says
// little when it is a common word (the replay stand-in key's is "replay",
// on every line of a replay report), so the pattern is tried only around
// each place the anchor occurs, over the most a match can span before
// and after it, rather than run over the whole text.
type Loose struct {
	re          *regexp.Regexp
	anchor      string
	anchorBytes []byte
	// cased are the anchor's upper- and lower-cased forms, looked for
	// too when the pattern ignores case (a secret of MinCaseFormLen
	// characters or more: a message upper-cased and escaped after).
	cased []string
	// before and after are the most bytes a match spans before and
	// after its anchor.
	before, after int
	maxLen        int
}

// NewLoose returns the Loose of secret, or nil when the secret has no
// LoosePattern (letters and digits alone).
func NewLoose(secret string) *Loose {
	expr, anchor, at := loosePatternText(secret)
	if expr == "" {
		return nil
	}
	l := &Loose{
		anchor: anchor, anchorBytes: []byte(anchor),
		before: at * maxLooseForm, after: (len(secret) - at - len(anchor)) * maxLooseForm,
		maxLen: MaxLooseLen(secret),
	}
	if len(secret) >= MinCaseFormLen {
		// A long key is no word: its forms are found in either case,
		// as TransformedForms finds the key's.
		expr = "(?i)" + expr
		for _, c := range []string{strings.ToUpper(anchor), strings.ToLower(anchor)} {
			if c != anchor && !slices.Contains(l.cased, c) {
				l.cased = append(l.cased, c)
			}
		}
	}
	l.re = regexp.MustCompile(expr)
	return l
}

// Anchor is the secret's longest run of letters and digits ("" for a
// secret of signs alone, whose pattern must read every text).
func (l *Loose) Anchor() string { return l.anchor }

// Regexp is the LoosePattern.
func (l *Loose) Regexp() *regexp.Regexp { return l.re }

// MaxLen is the longest text the pattern matches (MaxLooseLen).
func (l *Loose) MaxLen() int { return l.maxLen }

// Index returns where a match of the pattern starts in b, or -1 when
// there is none. Where several matches overlap windows it may name a
// later one than the leftmost; whether there is a match is always right.
func (l *Loose) Index(b []byte) int {
	at := looseIndex(l, b, l.anchorBytes, bytes.Index, l.re.FindIndex)
	for _, c := range l.cased {
		at = earliest(at, looseIndex(l, b, []byte(c), bytes.Index, l.re.FindIndex))
	}
	return at
}

// IndexString is Index of a string.
func (l *Loose) IndexString(s string) int {
	at := looseIndex(l, s, l.anchor, strings.Index, l.re.FindStringIndex)
	for _, c := range l.cased {
		at = earliest(at, looseIndex(l, s, c, strings.Index, l.re.FindStringIndex))
	}
	return at
}

// earliest is the smaller of two indexes, -1 meaning none.
func earliest(a, b int) int {
	switch {
	case a < 0:
		return b
	case b < 0:
		return a
	}
	return min(a, b)
}

// looseIndex is Index over either kind of text: index finds the anchor,
// find the pattern.
func looseIndex[T string | []byte](l *Loose, s, anchor T, index func(T, T) int, find func(T) []int) int {
	if len(anchor) == 0 {
		if loc := find(s); loc != nil {
			return loc[0]
		}
		return -1
	}
	for off := 0; off < len(s); {
		i := index(s[off:], anchor)
		if i < 0 {
			return -1
		}
		p := off + i
		lo, hi := max(p-l.before, 0), min(p+len(anchor)+l.after, len(s))
		if loc := find(s[lo:hi]); loc != nil {
			return lo + loc[0]
		}
		off = p + 1
	}
	return -1
}

// charForms are the patterns of the ways c may be written.
func charForms(c byte) []string {
	hex := caseless(fmt.Sprintf("%02x", c))
	// An escape's backslash is doubled each time the text is quoted in
	// JSON again (an upstream's error inside a gateway's): up to three
	// levels, as %25 is repeated for each percent-encoding.
	const esc = `\\{1,8}`
	forms := []string{
		regexp.QuoteMeta(string(c)),
		esc + `u00` + hex,
		esc + `x` + hex,
		`%(?:25){0,3}` + hex,
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
		forms = append(forms, `&quot;`, esc+`"`)
	case '\'':
		forms = append(forms, `&apos;`, esc+`'`)
	case '/':
		forms = append(forms, esc+`/`)
	case '\\':
		forms = append(forms, esc)
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

// looseForm is a secret's Loose and what replaces its matches. Its
// MaxLen bounds the length of a match: a Writer holds back that much of
// a long line, which may end inside one.
type looseForm struct {
	*Loose
	placeholder string
	secret      string
}

// maxLooseForm is the longest way charForms writes one character: a \u
// escape quoted three times more (eight backslashes, then u002B).
const maxLooseForm = len(`\\\\\\\\u002B`)

// MaxLooseLen is the longest text LoosePattern(secret) can match: a
// scanner reading in chunks keeps that many bytes less one from each
// chunk, so that no match is split unseen between two.
func MaxLooseLen(secret string) int { return len(secret) * maxLooseForm }
