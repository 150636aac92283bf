package report

import (
	"html/template"
	"strings"
	"testing"

	"github.com/winston-conformance/winston-conformance/harness/evidence"
)

// TestRowWriterEscapesAsTheTemplateDoes holds the row writer's escaping
// to template.HTMLEscapeString, byte for byte.
func TestRowWriterEscapesAsTheTemplateDoes(t *testing.T) {
	for _, s := range []string{
		"", "plain", `{"a":"<b>&'c'"}`, "nul\x00byte", "\xff\xfe invalid", "é – ü", `""''&&<<>>`, "<", "end&",
	} {
		var w rowWriter
		w.esc(s)
		if got, want := w.b.String(), template.HTMLEscapeString(s); got != want {
			t.Errorf("esc(%q) = %q, want %q", s, got, want)
		}
	}
}

// TestRowWriterHeadersAreSortedAndEscaped writes one "name: value" line
// per header, sorted by name, escaped.
func TestRowWriterHeadersAreSortedAndEscaped(t *testing.T) {
	var w rowWriter
	w.headers(map[string]string{"X-B": `"q"`, "Content-Type": "application/json", "A<": "&"})
	want := "A&lt;: &amp;\nContent-Type: application/json\nX-B: &#34;q&#34;\n"
	if got := w.b.String(); got != want {
		t.Errorf("headers:\n%q\nwant\n%q", got, want)
	}
}

// TestRowHTMLShowsEvidenceEscaped renders a row whose evidence holds
// markup: every value appears escaped, none as markup.
func TestRowHTMLShowsEvidenceEscaped(t *testing.T) {
	r := htmlRow{Requirement: Requirement{ID: "AUTH-001", Title: "a <title>", Status: StatusFailed, Must: "MUST & more",
		Focus: "make conformance FOCUS='AUTH-001'", Evidence: Evidence{Expected: "<x>", Observed: `"y"`, Failure: &Failure{Message: "<fail>"}}},
		CSS: "failed", Shown: []evidence.Exchange{{Method: "POST", URL: "/api?a=1&b=2", Status: 200, ResponseBody: `{"k":"<v>"}`,
			RequestHeaders: map[string]string{"Authorization": "<WINSTON_API_KEY>"}}}}
	got := string(rowHTML(r))
	for _, want := range []string{
		`<strong>AUTH-001</strong> a &lt;title&gt;`, `MUST &amp; more`, `<strong>Expected:</strong> &lt;x&gt;`,
		`<strong>Observed:</strong> &#34;y&#34;`, `<pre>&lt;fail&gt;</pre>`, `<code>/api?a=1&amp;b=2</code>`,
		`<pre>Authorization: &lt;WINSTON_API_KEY&gt;` + "\n</pre>", `<pre>response: {&#34;k&#34;:&#34;&lt;v&gt;&#34;}</pre>`,
		`FOCUS=&#39;AUTH-001&#39;`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("row lacks %q:\n%s", want, got)
		}
	}
}
