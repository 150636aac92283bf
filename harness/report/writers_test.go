package report

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"
	"github.com/xeipuuv/gojsonschema"

	"github.com/winston-conformance/winston-conformance/harness/catalogue"
	"github.com/winston-conformance/winston-conformance/harness/evidence"
)

// schemaPath is the report schema, relative to this package's directory.
const schemaPath = "../../schemas/report.schema.json"

func loadReportSchema(t *testing.T) *gojsonschema.Schema {
	t.Helper()
	abs, err := filepath.Abs(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gojsonschema.NewSchema(gojsonschema.NewReferenceLoader("file://" + filepath.ToSlash(abs)))
	if err != nil {
		t.Fatalf("compile %s: %v", schemaPath, err)
	}
	return s
}

// defaultCatalogueDoc is a realistic run over the embedded catalogue: one
// violation with evidence, a skip, a known issue, an outage, shapes and a
// profile, so that every optional part of the document is present.
func defaultCatalogueDoc(t *testing.T) *Document {
	t.Helper()
	cat, err := catalogue.Default()
	if err != nil {
		t.Fatal(err)
	}
	var specs []fakeSpec
	for i, r := range cat.Requirements {
		s := passing(r.ID, r.Title)
		switch i % 9 {
		case 1:
			s.state, s.msg = types.SpecStateFailed, "POST /api/v2/bills with a malformed token: expected 401, got 500"
			s.exchanges = []evidence.Exchange{answer("/api/v2/bills", 500, `{"error":"Internal Server Error"}`, 80*time.Millisecond)}
			s.findings = []evidence.Finding{{Endpoint: "bills", Expected: "401", Observed: "500", OK: false,
				SchemaErrors: []string{"/0/total: type: Invalid type. Expected: number, given: string"}}}
		case 4:
			s.state, s.msg, s.exchanges, s.findings = types.SpecStateSkipped, "needs a second tenant: set WINSTON_API_KEY_2", nil, nil
		case 6:
			s.state, s.msg = types.SpecStateFailed, "dial tcp: i/o timeout"
			s.exchanges = []evidence.Exchange{outage("/api/v2/tables")}
		case 7:
			continue // not selected: not-run
		}
		if r.ID == "SCHEMA-001" {
			s.shapes = map[string]Shape{"bills": {"$": {"array"}, "[]": {"object"}, "[].total": {"number"}}}
		}
		if r.ID == "TRANS-003" {
			s.findings = []evidence.Finding{{OK: true, Facts: map[string]string{"tlsVersion": "TLS 1.3", "certExpiry": "2027-02-01"}}}
		}
		specs = append(specs, s)
	}
	ledger := &Ledger{Entries: []LedgerEntry{{ID: cat.Requirements[10].ID, Note: "Winston ticket 99", Expires: "2027-01-01"}}}
	profile := &Profile{Name: "Acme reporting", Endpoints: []string{"list-bills", "categories"}, Operations: []string{"nightly export"}}
	run := liveRun()
	run.Config = map[string]any{"mode": "live", "baseUrl": testBase, "apiKey": "<WINSTON_API_KEY>"}
	return Build(ginkgoReport(t, specs...), cat, run, ledger, profile)
}

func TestWrittenReportsValidateAgainstTheSchema(t *testing.T) {
	schema := loadReportSchema(t)
	docs := map[string]*Document{"default-catalogue": defaultCatalogueDoc(t)}
	for _, sc := range scenarios() {
		docs[sc.name] = sc.build(t)
	}
	for name, d := range docs {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := d.Write(dir, nil); err != nil {
				t.Fatal(err)
			}
			abs, _ := filepath.Abs(filepath.Join(dir, JSONFile))
			res, err := schema.Validate(gojsonschema.NewReferenceLoader("file://" + filepath.ToSlash(abs)))
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range res.Errors() {
				t.Errorf("%s: %s: %s", e.Field(), e.Type(), e.Description())
			}
		})
	}
}

func TestSchemaRejectsWhatIsNotAReport(t *testing.T) {
	schema := loadReportSchema(t)
	for name, doc := range map[string]string{
		"other version": `{"schemaVersion":"winston-conformance-report/v0"}`,
		"bad verdict":   strings.Replace(mustRender(t, mustBuild(t, "pass").renderJSON), `"verdict": "pass"`, `"verdict": "maybe"`, 1),
		"unknown field": strings.Replace(mustRender(t, mustBuild(t, "pass").renderJSON), `"summary":`, `"extra": 1, "summary":`, 1),
	} {
		res, err := schema.Validate(gojsonschema.NewStringLoader(doc))
		if err != nil {
			t.Fatal(err)
		}
		if res.Valid() {
			t.Errorf("%s: the schema accepted it", name)
		}
	}
}

// mustRender is the text one of a document's renderers gives (pass the
// method value, e.g. d.renderJSON), failing the test on an error.
func mustRender(t *testing.T, render func() ([]byte, error)) string {
	t.Helper()
	out, err := render()
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func TestJUnitIsWellFormedWithProperties(t *testing.T) {
	d := mustBuild(t, "fail")
	data, err := d.renderJUnit()
	if err != nil {
		t.Fatal(err)
	}
	var root JUnitTestSuites
	if err := xml.Unmarshal(data, &root); err != nil {
		t.Fatalf("junit.xml does not parse: %v\n%s", err, data)
	}
	if root.Tests != 8 || root.Failures != 2 || len(root.Suites) != 1 || len(root.Suites[0].Cases) != 8 {
		t.Fatalf("counts: tests %d failures %d", root.Tests, root.Failures)
	}
	props := map[string][]string{}
	var failed *JUnitTestCase
	for i, c := range root.Suites[0].Cases {
		if strings.HasPrefix(c.Name, "AUTH-002 ") {
			failed = &root.Suites[0].Cases[i]
			for _, p := range c.Properties {
				props[p.Name] = append(props[p.Name], p.Value)
			}
		}
	}
	if failed == nil || failed.Failure == nil || failed.Failure.Type != ClassContractViolation || !strings.Contains(failed.Failure.Text, "expected: 401") {
		t.Fatalf("AUTH-002 failure = %+v", failed)
	}
	if props["requirement"][0] != "AUTH-002" || props["family"][0] != "auth" || strings.Join(props["endpoint"], ",") != "bills,categories,create-order" {
		t.Errorf("properties = %v", props)
	}
	un, _ := mustBuild(t, "unavailable").renderJUnit()
	if err := xml.Unmarshal(un, &root); err != nil || root.Errors != 8 || root.Failures != 0 {
		t.Errorf("an outage must be JUnit errors, not failures: errors %d failures %d (%v)", root.Errors, root.Failures, err)
	}
	ki, _ := mustBuild(t, "known-issue").renderJUnit()
	if err := xml.Unmarshal(ki, &root); err != nil || root.Skipped != 1 || root.Failures != 0 {
		t.Errorf("a known issue must be skipped: skipped %d failures %d (%v)", root.Skipped, root.Failures, err)
	}
}

func TestMarkdownCarriesSummaryFailuresAndEvidence(t *testing.T) {
	d := mustBuild(t, "fail")
	data, err := d.renderMarkdown()
	if err != nil {
		t.Fatal(err)
	}
	md := string(data)
	for _, want := range []string{
		"**Verdict: FAIL: contract violation**", d.Summary, "### AUTH-002 a missing Authorization header gets 401: contract violation",
		"- Expected: 401\n- Observed: 200", "go tool ginkgo --focus 'AUTH-002' ./suites", "advisory", "| bills | FAIL | advisory |",
		"`POST https://api-qa.example.test/api/v2/bills` (auth: valid) → 200",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
	if strings.Index(md, "### AUTH-002") > strings.Index(md, "### STRUCT-003") {
		t.Error("the MUST violation must come before the advisory failure")
	}
	replay, _ := mustBuild(t, "replay-sandbox").renderMarkdown()
	if !strings.Contains(string(replay), "This report is not valid for submission") {
		t.Error("a replay report must say plainly that it is not valid for submission")
	}
}

func TestFenceCannotBeBrokenOut(t *testing.T) {
	got := fence("a ``` b ```` c")
	if !strings.HasPrefix(got, "`````text\n") || !strings.HasSuffix(got, "\n`````\n\n") {
		t.Errorf("fence = %q", got)
	}
	if mdCell("a|b\nc") != `a\|b c` {
		t.Error("table cells must escape pipes and newlines")
	}
}

func TestWriteFailsClearlyOnAnUnwritableDirectory(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	err := mustBuild(t, "pass").Write(filepath.Join(file, "sub"), nil)
	if err == nil || !strings.Contains(err.Error(), "create directory") {
		t.Errorf("error %v", err)
	}
}
