// Package redact is the one point every output of the suite passes through
// on its way to disk, a log, a report or a failure message. It replaces each
// registered secret (an API key), and the forms a secret takes on the wire
// (base64 at any alignment, inside a Basic credential; URL-encoded in a
// query; escaped inside JSON, HTML or a quoted Go string), with a
// placeholder such as <WINSTON_API_KEY>.
package redact

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// MinSecretLen is the shortest value treated as a secret; shorter values
// (an empty key, "x") would redact ordinary text and are refused by Add.
const MinSecretLen = 6

// Redactor replaces registered secrets. The zero value is not usable; use
// New. A Redactor is safe for concurrent use.
type Redactor struct {
	mu    sync.RWMutex
	keys  []string
	pairs []pair // longest secret first
	// find tells whether any secret occurs at all: the common answer,
	// no, then costs one pass instead of one search per secret.
	find *Finder
	// loose are the Looses of the secrets that have a LoosePattern. Each
	// looks for its anchor with bytes.Index, which reads a text faster
	// than a Finder does for needles as short as an anchor may be.
	loose []looseForm
}

type pair struct {
	secret, placeholder string
}

// New returns a Redactor with no secrets.
func New() *Redactor { return &Redactor{} }

var global = New()

// Global is the process-wide Redactor. Configuration loading registers the
// API keys here; the client, cassettes, reports and the Ginkgo writer use it.
func Global() *Redactor { return global }

// Add registers secret, to be shown as placeholder. The base64 forms of the
// secret (standard and URL alphabets, at each of the three alignments it can
// take inside a longer encoded value) are registered too, shown as
// placeholder with ":base64" added. Its escaped forms (EscapedForms) are
// shown as placeholder itself. Secrets shorter than MinSecretLen are
// ignored and Add reports false.
func (r *Redactor) Add(secret, placeholder string) bool {
	if len(secret) < MinSecretLen {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !slices.Contains(r.keys, secret) {
		r.keys = append(r.keys, secret)
	}
	forms := []pair{{secret, placeholder}}
	b64 := strings.TrimSuffix(placeholder, ">") + ":base64>"
	for _, form := range Base64Forms(secret) {
		forms = append(forms, pair{form, b64})
	}
	for _, form := range EscapedForms(secret) {
		forms = append(forms, pair{form, placeholder})
	}
	// Each form transformed whole too (a Basic header's base64 shouted
	// with the rest of a message), and escaped or base64-encoded once
	// more (a JSON error quoted inside another JSON string): the leak
	// scan looks for all of them, so they are replaced where an answer is
	// captured, not found only when the report is written and refused.
	for _, f := range forms {
		r.addLocked(f.secret, f.placeholder)
		for _, form := range TransformedForms(f.secret) {
			r.addLocked(form, f.placeholder)
		}
		if f.secret == secret {
			continue
		}
		for _, form := range EscapedForms(f.secret) {
			r.addLocked(form, f.placeholder)
		}
		for _, form := range Base64Forms(f.secret) {
			if len(form) >= MinSecretLen {
				r.addLocked(form, b64)
			}
		}
	}
	sort.SliceStable(r.pairs, func(i, j int) bool { return len(r.pairs[i].secret) > len(r.pairs[j].secret) })
	r.find = NewFinder(r.secretsLocked())
	for _, f := range forms {
		if l := NewLoose(f.secret); l != nil && !r.hasLooseLocked(f.secret) {
			r.loose = append(r.loose, looseForm{Loose: l, placeholder: f.placeholder, secret: f.secret})
		}
	}
	return true
}

// AddPublic registers a value that is no secret but stands for one (the
// replay stand-in key, a published constant) to be shown as placeholder,
// so that a report reads alike whatever key was used. Only the value as is
// is replaced: it has no escaped or transformed forms to hunt, and the
// leak scan does not look for it (Keys leaves it out).
func (r *Redactor) AddPublic(value, placeholder string) bool {
	if len(value) < MinSecretLen {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.addLocked(value, placeholder)
	sort.SliceStable(r.pairs, func(i, j int) bool { return len(r.pairs[i].secret) > len(r.pairs[j].secret) })
	r.find = NewFinder(r.secretsLocked())
	return true
}

func (r *Redactor) hasLooseLocked(secret string) bool {
	for _, l := range r.loose {
		if l.secret == secret {
			return true
		}
	}
	return false
}

// looseString replaces the matches of every LoosePattern in s.
func (r *Redactor) looseString(s string) string {
	for _, l := range r.loose {
		if l.IndexString(s) >= 0 {
			s = l.re.ReplaceAllLiteralString(s, l.placeholder)
		}
	}
	return s
}

// looseBytes replaces the matches of every LoosePattern in b.
func (r *Redactor) looseBytes(b []byte) []byte {
	for _, l := range r.loose {
		if l.Index(b) >= 0 {
			b = l.re.ReplaceAllLiteral(b, []byte(l.placeholder))
		}
	}
	return b
}

// looseIn reports whether a LoosePattern matches in b.
func (r *Redactor) looseIn(b []byte) bool {
	for _, l := range r.loose {
		if l.Index(b) >= 0 {
			return true
		}
	}
	return false
}

func (r *Redactor) addLocked(secret, placeholder string) {
	for _, p := range r.pairs {
		if p.secret == secret {
			return
		}
	}
	r.pairs = append(r.pairs, pair{secret, placeholder})
}

// EscapedForms returns the forms secret takes when a server or a writer
// escapes it: URL-encoded (query and path), inside a JSON string (with
// and without HTML escaping, and with "/" escaped as some servers do),
// inside a quoted Go string, and HTML-escaped. Forms equal to secret
// itself are left out, so a key of plain letters and digits has none.
func EscapedForms(secret string) []string {
	var out []string
	seen := map[string]bool{secret: true}
	add := func(form string) {
		if !seen[form] {
			seen[form] = true
			out = append(out, form)
		}
	}
	add(url.QueryEscape(secret))
	add(url.PathEscape(secret))
	for _, escapeHTML := range []bool{true, false} {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(escapeHTML)
		if enc.Encode(secret) == nil {
			inner := strings.TrimSuffix(b.String(), "\n")
			inner = strings.TrimSuffix(strings.TrimPrefix(inner, `"`), `"`)
			add(inner)
			add(strings.ReplaceAll(inner, "/", `\/`))
		}
	}
	// Some servers escape every character but letters and digits.
	var u strings.Builder
	for _, c := range secret {
		if c < 0x80 && !isAlnum(c) {
			fmt.Fprintf(&u, "\\u%04x", c)
		} else {
			u.WriteRune(c)
		}
	}
	add(u.String())
	quoted := strconv.Quote(secret)
	add(quoted[1 : len(quoted)-1])
	add(html.EscapeString(secret))
	return out
}

// TransformedForms returns the forms secret takes when a server changes
// it whole rather than escaping it: hex-encoded in either case (a header
// logged as bytes), and, for a secret of at least MinCaseFormLen
// characters, upper-cased or lower-cased (a message shouted, or
// normalised); a shorter one lower-cased could be an ordinary word. Forms
// equal to secret are left out.
func TransformedForms(secret string) []string {
	forms := []string{hex.EncodeToString([]byte(secret)), strings.ToUpper(hex.EncodeToString([]byte(secret)))}
	if len(secret) >= MinCaseFormLen {
		forms = append(forms, strings.ToUpper(secret), strings.ToLower(secret))
	}
	var out []string
	for _, form := range forms {
		if form != secret && !slices.Contains(out, form) {
			out = append(out, form)
		}
	}
	return out
}

// MinCaseFormLen is the shortest secret whose upper- and lower-cased forms
// are redacted and scanned for: an API key is far longer, and a short
// value cased could match text that is no key.
const MinCaseFormLen = 16

func isAlnum(c rune) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// Base64Forms returns the substrings that always appear when secret is
// base64-encoded inside any longer value: for each of the three byte
// alignments, the characters that depend on the secret alone. Both the
// standard and the URL alphabet are included.
func Base64Forms(secret string) []string {
	var out []string
	seen := map[string]bool{}
	for pad := 0; pad < 3; pad++ {
		buf := append(bytes.Repeat([]byte{0}, pad), secret...)
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
			s := enc.EncodeToString(buf)
			// Characters influenced by the padding bytes before the
			// secret, or by what follows it, are dropped.
			start := (pad*8 + 5) / 6
			if pad == 0 {
				start = 0
			}
			end := ((pad + len(secret)) * 8) / 6
			if start >= end || end > len(s) {
				continue
			}
			form := s[start:end]
			if len(form) >= MinSecretLen && !seen[form] {
				seen[form] = true
				out = append(out, form)
			}
		}
	}
	return out
}

// String returns s with every registered secret replaced.
func (r *Redactor) String(s string) string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.find.InString(s) {
		for _, p := range r.pairs {
			if strings.Contains(s, p.secret) {
				s = strings.ReplaceAll(s, p.secret, p.placeholder)
			}
		}
	}
	return r.looseString(s)
}

// Bytes returns b with every registered secret replaced: b itself when
// there is none, else a new slice. It never writes to b.
func (r *Redactor) Bytes(b []byte) []byte {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.find.In(b) {
		for _, p := range r.pairs {
			if bytes.Contains(b, []byte(p.secret)) {
				b = bytes.ReplaceAll(b, []byte(p.secret), []byte(p.placeholder))
			}
		}
	}
	return r.looseBytes(b)
}

// Contains reports whether b holds a registered secret, in any form Add
// registered.
func (r *Redactor) Contains(b []byte) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.find.In(b) || r.looseIn(b)
}

// Touches reports whether s holds a registered secret, or a placeholder
// that stands for one (s was redacted already): either way s is not the
// value it was set to, and a reader must be sent to the value's source.
func (r *Redactor) Touches(s string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.find.InString(s) || r.looseIn([]byte(s)) {
		return true
	}
	for _, p := range r.pairs {
		if strings.Contains(s, p.placeholder) {
			return true
		}
	}
	return false
}

// Error returns an error whose message is redacted; it still unwraps to err.
func (r *Redactor) Error(err error) error {
	if err == nil {
		return nil
	}
	msg := r.String(err.Error())
	if msg == err.Error() {
		return err
	}
	return &redactedError{msg: msg, err: err}
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// Keys returns the secrets as they were given to Add, without the forms
// Add derived from them: what the leak scan (which derives every form
// itself) looks for.
func (r *Redactor) Keys() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return slices.Clone(r.keys)
}

// Secrets returns every registered text: the secrets and each form of
// them that Add registered.
func (r *Redactor) Secrets() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.secretsLocked()
}

func (r *Redactor) secretsLocked() []string {
	out := make([]string, 0, len(r.pairs))
	for _, p := range r.pairs {
		out = append(out, p.secret)
	}
	return out
}

// Writer returns a writer that redacts what passes through it before it
// reaches w. It holds back the tail of each write that could be the start
// of a secret split across writes; Close (or Flush) writes the rest.
func (r *Redactor) Writer(w io.Writer) *Writer { return &Writer{r: r, w: w} }

// Writer is a redacting io.WriteCloser; see Redactor.Writer.
type Writer struct {
	mu  sync.Mutex
	r   *Redactor
	w   io.Writer
	buf []byte
}

// Write redacts p and writes every complete line through.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	cut := bytes.LastIndexByte(w.buf, '\n')
	if cut < 0 && len(w.buf) < 64<<10 {
		return len(p), nil
	}
	end := cut + 1
	if cut < 0 {
		// A long text with no newline: write what cannot hold part of a
		// secret whose rest is still to come.
		end = w.r.safeCut(w.buf)
	}
	out := w.r.Bytes(append([]byte(nil), w.buf[:end]...))
	w.buf = append(w.buf[:0], w.buf[end:]...)
	if _, err := w.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}

// safeCut returns how much of b may be redacted and written now: all but
// the last (longest secret - 1) bytes, which may begin a secret that the
// next write completes, and never a cut through a whole secret in b.
func (r *Redactor) safeCut(b []byte) int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if len(r.pairs) == 0 {
		return len(b)
	}
	longest := len(r.pairs[0].secret)
	for _, l := range r.loose {
		longest = max(longest, l.MaxLen())
	}
	c := max(len(b)-(longest-1), 0)
	for moved := true; moved; {
		moved = false
		for _, p := range r.pairs {
			// An occurrence across c starts in [c-len+1, c-1].
			lo, hi := max(c-len(p.secret)+1, 0), min(c+len(p.secret)-1, len(b))
			if lo >= hi {
				continue
			}
			if i := bytes.Index(b[lo:hi], []byte(p.secret)); i >= 0 && lo+i < c {
				c, moved = lo+i, true
			}
		}
		for _, l := range r.loose {
			lo, hi := max(c-l.MaxLen()+1, 0), min(c+l.MaxLen()-1, len(b))
			for _, m := range l.re.FindAllIndex(b[lo:hi], -1) {
				if lo+m[0] < c && lo+m[1] > c {
					c, moved = lo+m[0], true
				}
			}
		}
	}
	return c
}

// Flush writes what is held back, redacted.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) == 0 {
		return nil
	}
	out := w.r.Bytes(append([]byte(nil), w.buf...))
	w.buf = w.buf[:0]
	_, err := w.w.Write(out)
	return err
}

// Close flushes the writer; it does not close the underlying writer.
func (w *Writer) Close() error { return w.Flush() }
