package report

import (
	"bytes"
	"encoding/xml"
	"testing"
)

// xmlReference is junit.xml as encoding/xml lays root out.
func xmlReference(t *testing.T, root JUnitTestSuites) string {
	t.Helper()
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(root); err != nil {
		t.Fatal(err)
	}
	buf.WriteString("\n")
	return buf.String()
}

// TestWriteJUnitMatchesEncodingXML holds the JUnit writer to encoding/xml,
// byte for byte: every scenario's junit.xml, and documents with text that
// XML must escape (quotes, markup, tabs, newlines, control characters,
// invalid UTF-8), empty messages and types, and no properties or cases.
func TestWriteJUnitMatchesEncodingXML(t *testing.T) {
	var roots []JUnitTestSuites
	for _, sc := range scenarios() {
		var root JUnitTestSuites
		if err := xml.Unmarshal([]byte(mustRender(t, sc.build(t).renderJUnit)), &root); err != nil {
			t.Fatal(err)
		}
		roots = append(roots, root)
	}
	nasty := "a \"q\" 'a' <b>&amp; \t tab\nline\r\x01\x00 \xff\xfe \ufffd \u2028 é"
	roots = append(roots,
		JUnitTestSuites{Name: nasty},
		JUnitTestSuites{Name: "x", Suites: []JUnitTestSuite{{Name: nasty}}},
		JUnitTestSuites{Name: "x", Suites: []JUnitTestSuite{{Name: "s", Properties: []JUnitProperty{{nasty, nasty}},
			Cases: []JUnitTestCase{
				{Name: nasty},
				{Name: "f", Failure: &JUnitMessage{Message: nasty, Type: nasty, Text: nasty}},
				{Name: "e", Error: &JUnitMessage{Message: "", Text: ""}, SystemOut: nasty},
				{Name: "s", Properties: []JUnitProperty{{"a", ""}}, Skipped: &JUnitMessage{Message: "m", Type: "skipped"}},
				{Name: "o", SystemOut: "only\n"},
			}}}},
	)
	for i, root := range roots {
		if got, want := string(writeJUnit(root)), xmlReference(t, root); got != want {
			t.Errorf("document %d: the writer differs from encoding/xml:\n%s\nwant\n%s", i, got, want)
		}
	}
}
