package report

import (
	"fmt"
	"html/template"
	"strings"

	"github.com/winston-conformance/winston-conformance/harness/evidence"
)

// rowHTML renders one requirement with its evidence, as report.html shows
// it. It is written in Go rather than in the page's template: a report
// holds dozens of rows and hundreds of exchanges, and the template's
// per-action cost made the rows most of the report's rendering time.
// Every value from the document is escaped as template.HTMLEscapeString
// escapes it (text and quoted attributes), straight into the row's
// buffer (see rowWriter.esc).
func rowHTML(r htmlRow) template.HTML {
	w := newRowWriter(r)
	e := w.esc
	w.raw(`<details class="req `)
	e(r.CSS)
	w.raw(`" id="req-`)
	e(r.ID)
	w.raw("\">\n", `<summary><span class="badge b-`)
	e(r.CSS)
	w.raw(`">`)
	e(statusLabel(r.Requirement))
	w.raw(`</span> <strong>`)
	e(r.ID)
	w.raw(`</strong> `)
	e(r.Title)
	if r.InProfile {
		w.raw(` <em>(profile)</em>`)
	}
	w.raw("\n")
	if r.ClassLabel != "" {
		w.raw(` – <span class="class">`)
		e(r.ClassLabel)
		w.raw(`</span>`)
	}
	if r.Reason != "" {
		w.raw(` – <span class="reason">`)
		e(r.Reason)
		w.raw(`</span>`)
	}
	w.raw("</summary>\n<div>\n", `<p class="must">`)
	e(r.Must)
	w.raw(` <span class="muted">(source: `)
	e(r.Source)
	w.raw(`, level: `)
	e(r.Level)
	w.raw(`, family: `)
	e(r.Family)
	if len(r.Endpoints) > 0 {
		w.raw(`, endpoints: `)
		e(strings.Join(r.Endpoints, ", "))
	}
	w.raw(")</span></p>\n")
	if k := r.KnownIssue; k != nil {
		w.raw(`<p><strong>Known vendor issue:</strong> `)
		e(k.Note)
		w.raw(` (ledger entry until `)
		e(k.Expires)
		w.raw(")</p>\n")
	}
	if notes := notJudgedNotes(r.Requirement); len(notes) > 0 {
		w.raw(`<p><strong>Not judged</strong> <span class="muted">(these answers were seen but not judged by this check, `,
			`so a pass holds only for the others)</span>:</p><ul class="notjudged">`)
		for _, n := range notes {
			w.raw(`<li>`)
			e(n)
			w.raw(`</li>`)
		}
		w.raw("</ul>\n")
	}
	if ev := r.Evidence; ev.Expected != "" || ev.Observed != "" {
		w.raw(`<p><strong>Expected:</strong> `)
		e(ev.Expected)
		w.raw(`<br><strong>Observed:</strong> `)
		e(ev.Observed)
		w.raw("</p>\n")
	}
	if len(r.Evidence.SchemaErrors) > 0 {
		w.raw(`<p><strong>Schema errors:</strong></p><pre>`)
		e(strings.Join(r.Evidence.SchemaErrors, "\n"))
		w.raw("</pre>\n")
	}
	if f := r.Evidence.Failure; f != nil {
		w.raw(`<p><strong>The check's message</strong>`)
		if f.Location != "" {
			w.raw(` <span class="muted">at `)
			e(f.Location)
			w.raw(`</span>`)
		}
		w.raw(`:</p><pre>`)
		e(f.Message)
		w.raw("</pre>\n")
	}
	for _, ex := range r.Shown {
		w.exchange(ex)
	}
	if r.More > 0 {
		w.raw(fmt.Sprintf(`<p class="muted">%d more exchanges are in report.json.</p>`, r.More), "\n")
	}
	w.raw(`<p><strong>Replay just this check:</strong> <code>`)
	e(r.Focus)
	w.raw("</code></p>\n</div>\n</details>\n")
	return template.HTML(w.b.String()) //nolint:gosec // every value above is escaped
}

// rowWriter builds one row's HTML in a buffer sized for it up front: the
// evidence bodies are most of a row, and growing the buffer as they come
// copied each row several times.
type rowWriter struct {
	b strings.Builder
}

// rowSlack is what a row adds to its evidence: markup, labels, escapes.
const rowSlack = 2048

func newRowWriter(r htmlRow) *rowWriter {
	n := rowSlack + len(r.Must)
	if f := r.Evidence.Failure; f != nil {
		n += len(f.Message)
	}
	for _, ex := range r.Shown {
		n += len(ex.URL) + len(ex.RequestBody) + len(ex.ResponseBody) + 256
		n += headersLen(ex.RequestHeaders) + headersLen(ex.ResponseHeaders)
	}
	// Quotes in JSON bodies grow fivefold when escaped (&#34;).
	w := &rowWriter{}
	w.b.Grow(n + n/4)
	return w
}

func (w *rowWriter) exchange(ex evidence.Exchange) {
	e := w.esc
	w.raw(`<p><strong>`)
	e(ex.Method)
	w.raw(`</strong> <code>`)
	e(ex.URL)
	w.raw(`</code> (auth: `)
	e(ex.AuthShape)
	w.raw(`) → <strong>`)
	e(exchangeOutcome(ex))
	w.raw(`</strong>`)
	if ex.Latency != 0 {
		w.raw(` in `)
		e(fmt.Sprintf("%.1f ms", ms(ex.Latency)))
	}
	if ex.Replayed {
		w.raw(` <span class="muted">(replayed from `)
		e(ex.Cassette)
		w.raw(`)</span>`)
	}
	if ex.Retries != 0 {
		w.raw(fmt.Sprintf(` <span class="muted">after %d retries</span>`, ex.Retries))
	}
	w.raw("</p>\n")
	if len(ex.RequestHeaders) > 0 {
		w.raw(`<pre>`)
		w.headers(ex.RequestHeaders)
		w.raw(`</pre>`)
	}
	if ex.RequestBody != "" {
		w.raw(`<pre>request: `)
		e(ex.RequestBody)
		w.raw(`</pre>`)
	}
	w.raw("\n")
	if len(ex.ResponseHeaders) > 0 {
		w.raw(`<pre>`)
		w.headers(ex.ResponseHeaders)
		w.raw(`</pre>`)
	}
	if ex.ResponseBody != "" {
		w.raw(`<pre>response: `)
		e(ex.ResponseBody)
		w.raw(`</pre>`)
	}
	w.raw("\n")
}

// headers writes formatHeaders(h), escaped: escaping works byte by byte,
// so escaping each part is escaping the whole.
func (w *rowWriter) headers(h map[string]string) {
	for _, k := range sortedKeys(h) {
		w.esc(k)
		w.raw(": ")
		w.esc(h[k])
		w.raw("\n")
	}
}

func headersLen(h map[string]string) int {
	n := 0
	for k, v := range h {
		n += len(k) + len(v) + 3
	}
	return n
}

// raw writes markup as it is.
func (w *rowWriter) raw(parts ...string) {
	for _, p := range parts {
		w.b.WriteString(p)
	}
}

// esc writes s escaped exactly as template.HTMLEscapeString escapes it.
func (w *rowWriter) esc(s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		var rep string
		switch s[i] {
		case 0:
			rep = "\uFFFD"
		case '"':
			rep = "&#34;"
		case '\'':
			rep = "&#39;"
		case '&':
			rep = "&amp;"
		case '<':
			rep = "&lt;"
		case '>':
			rep = "&gt;"
		default:
			continue
		}
		w.b.WriteString(s[last:i])
		w.b.WriteString(rep)
		last = i + 1
	}
	w.b.WriteString(s[last:])
}
