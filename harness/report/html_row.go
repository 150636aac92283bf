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
// Every value from the document goes through template.HTMLEscapeString,
// as the template's own escaping would (text and quoted attributes).
func rowHTML(r htmlRow) template.HTML {
	var b strings.Builder
	e := template.HTMLEscapeString
	w := func(parts ...string) { writeAll(&b, parts...) }
	w(`<details class="req `, e(r.CSS), `" id="req-`, e(r.ID), "\">\n")
	w(`<summary><span class="badge b-`, e(r.CSS), `">`, e(statusLabel(r.Requirement)), `</span> <strong>`, e(r.ID), `</strong> `, e(r.Title))
	if r.InProfile {
		w(` <em>(profile)</em>`)
	}
	w("\n")
	if r.ClassLabel != "" {
		w(` – <span class="class">`, e(r.ClassLabel), `</span>`)
	}
	if r.Reason != "" {
		w(` – <span class="reason">`, e(r.Reason), `</span>`)
	}
	w("</summary>\n<div>\n")
	w(`<p class="must">`, e(r.Must), ` <span class="muted">(source: `, e(r.Source), `, level: `, e(r.Level), `, family: `, e(r.Family))
	if len(r.Endpoints) > 0 {
		w(`, endpoints: `, e(strings.Join(r.Endpoints, ", ")))
	}
	w(")</span></p>\n")
	if k := r.KnownIssue; k != nil {
		w(`<p><strong>Known vendor issue:</strong> `, e(k.Note), ` (ledger entry until `, e(k.Expires), ")</p>\n")
	}
	if notes := notJudgedNotes(r.Requirement); len(notes) > 0 {
		w(`<p><strong>Not judged</strong> <span class="muted">(these answers were seen but not judged by this check, `,
			`so a pass holds only for the others)</span>:</p><ul class="notjudged">`)
		for _, n := range notes {
			w(`<li>`, e(n), `</li>`)
		}
		w("</ul>\n")
	}
	if ev := r.Evidence; ev.Expected != "" || ev.Observed != "" {
		w(`<p><strong>Expected:</strong> `, e(ev.Expected), `<br><strong>Observed:</strong> `, e(ev.Observed), "</p>\n")
	}
	if len(r.Evidence.SchemaErrors) > 0 {
		w(`<p><strong>Schema errors:</strong></p><pre>`, e(strings.Join(r.Evidence.SchemaErrors, "\n")), "</pre>\n")
	}
	if f := r.Evidence.Failure; f != nil {
		w(`<p><strong>Failure</strong>`)
		if f.Location != "" {
			w(` <span class="muted">at `, e(f.Location), `</span>`)
		}
		w(`:</p><pre>`, e(f.Message), "</pre>\n")
	}
	for _, ex := range r.Shown {
		exchangeHTML(&b, ex)
	}
	if r.More > 0 {
		w(fmt.Sprintf(`<p class="muted">%d more exchanges are in report.json.</p>`, r.More), "\n")
	}
	w(`<p><strong>Replay just this check:</strong> <code>`, e(r.Focus), "</code></p>\n</div>\n</details>\n")
	return template.HTML(b.String()) //nolint:gosec // every value above is escaped
}

func exchangeHTML(b *strings.Builder, ex evidence.Exchange) {
	e := template.HTMLEscapeString
	w := func(parts ...string) { writeAll(b, parts...) }
	w(`<p><strong>`, e(ex.Method), `</strong> <code>`, e(ex.URL), `</code> (auth: `, e(ex.AuthShape), `) → <strong>`, e(exchangeOutcome(ex)), `</strong>`)
	if ex.Latency != 0 {
		w(` in `, e(fmt.Sprintf("%.1f ms", ms(ex.Latency))))
	}
	if ex.Replayed {
		w(` <span class="muted">(replayed from `, e(ex.Cassette), `)</span>`)
	}
	if ex.Retries != 0 {
		w(fmt.Sprintf(` <span class="muted">after %d retries</span>`, ex.Retries))
	}
	w("</p>\n")
	if len(ex.RequestHeaders) > 0 {
		w(`<pre>`, e(formatHeaders(ex.RequestHeaders)), `</pre>`)
	}
	if ex.RequestBody != "" {
		w(`<pre>request: `, e(ex.RequestBody), `</pre>`)
	}
	w("\n")
	if len(ex.ResponseHeaders) > 0 {
		w(`<pre>`, e(formatHeaders(ex.ResponseHeaders)), `</pre>`)
	}
	if ex.ResponseBody != "" {
		w(`<pre>response: `, e(ex.ResponseBody), `</pre>`)
	}
	w("\n")
}

func writeAll(b *strings.Builder, parts ...string) {
	for _, p := range parts {
		b.WriteString(p)
	}
}
