package report

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/winston-conformance/winston-conformance/harness/evidence"
)

// jsonReference is report.json made the plain way: the whole document
// encoded at once, then laid out by indentShallow.
func jsonReference(t *testing.T, d *Document) string {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(d); err != nil {
		t.Fatal(err)
	}
	return string(indentShallow(buf.Bytes(), jsonLineDepth))
}

// TestRenderJSONLaysOutAsTheWholeDocumentWould holds renderJSON, which
// encodes the requirements one by one onto their lines, to the plain way:
// byte for byte, for every scenario, for no, an empty and a nil list of
// requirements, and for evidence whose text looks like the layout.
func TestRenderJSONLaysOutAsTheWholeDocumentWould(t *testing.T) {
	var docs []*Document
	for _, sc := range scenarios() {
		docs = append(docs, sc.build(t))
	}
	empty := *mustBuild(t, "pass")
	empty.Requirements = []Requirement{}
	none := *mustBuild(t, "pass")
	none.Requirements = nil
	tricky := *mustBuild(t, "fail")
	tricky.Requirements = append([]Requirement(nil), tricky.Requirements...)
	tricky.Requirements[0].Title = "\n  \"requirements\": null <&> \u2028"
	tricky.Requirements[0].Evidence.Exchanges = []evidence.Exchange{{Method: "POST", URL: "/x",
		ResponseBody: `{"requirements": null, "a": [1, {"b": "]},"}]}`, ResponseHeaders: map[string]string{"B": "2", "A": "1"}}}
	docs = append(docs, &empty, &none, &tricky)
	for i, d := range docs {
		got := mustRender(t, d.renderJSON)
		if want := jsonReference(t, d); got != want {
			t.Errorf("document %d: renderJSON differs from the whole document laid out:\n%s\nwant\n%s", i, got, want)
		}
	}
}
