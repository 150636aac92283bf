package schema

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"

	"github.com/winston-conformance/winston-conformance/harness/catalogue"
	"github.com/winston-conformance/winston-conformance/harness/redact"
)

// dials counts HTTP requests made by anything in this test binary: the
// loader must never fetch a meta-schema or a $ref over the network.
var dials atomic.Int32

type noNetwork struct{}

func (noNetwork) RoundTrip(req *http.Request) (*http.Response, error) {
	dials.Add(1)
	return nil, fmt.Errorf("schema tests must not reach the network (asked for %s)", req.URL)
}

func TestMain(m *testing.M) {
	http.DefaultTransport = noNetwork{}
	redact.Global().Add(testSecret, "<SCHEMA_TEST_KEY>")
	code := m.Run()
	if n := dials.Load(); n > 0 {
		fmt.Fprintf(os.Stderr, "the schema package made %d HTTP requests; it must work offline\n", n)
		code = 1
	}
	os.Exit(code)
}

const okSchema = `{"$schema": "http://json-schema.org/draft-07/schema#", "$id": "https://example.test/ok.json",
  "type": "object", "properties": {"n": {"$ref": "#/definitions/n"}, "a/b~c": {"type": "number"}},
  "definitions": {"n": {"type": "integer"}}}`

func mapFS(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for name, text := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(text)}
	}
	return fsys
}

func TestLoadRefusesBadFilesNamingFileAndFix(t *testing.T) {
	cases := []struct {
		rule, text string
		want       []string
	}{
		{"a file that is not JSON", `{"$schema": "http://json-schema.org/draft-07/schema#",,}`,
			[]string{"schemas/bad.json is not JSON", "byte offset", "fix the syntax"}},
		{"a file that is not an object", `[1]`,
			[]string{"schemas/bad.json is not a schema", "an array"}},
		{"a file without $schema", `{"type": "object"}`,
			[]string{"schemas/bad.json has no \"$schema\"", Draft07}},
		{"a draft-04 file", `{"$schema": "http://json-schema.org/draft-04/schema#", "type": "object"}`,
			[]string{"schemas/bad.json declares", "draft-04", "draft-07 only", Draft07}},
		{"a 2020-12 file", `{"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object"}`,
			[]string{"schemas/bad.json declares", "2020-12", "draft-07 only"}},
		{"a misspelt type", `{"$schema": "http://json-schema.org/draft-07/schema#", "type": "strnig"}`,
			[]string{"schemas/bad.json is not a valid draft-07 schema", "type"}},
		{"a negative minLength", `{"$schema": "http://json-schema.org/draft-07/schema#", "minLength": -1}`,
			[]string{"schemas/bad.json is not a valid draft-07 schema", "minLength"}},
		{"a remote $ref", `{"$schema": "http://json-schema.org/draft-07/schema#", "properties": {"x": {"$ref": "http://example.invalid/x.json"}}}`,
			[]string{"schemas/bad.json", "http://example.invalid/x.json", "/properties/x", "self-contained"}},
		{"a sibling-file $ref", `{"$schema": "http://json-schema.org/draft-07/schema#", "items": {"$ref": "bills.json#/definitions/bill"}}`,
			[]string{"schemas/bad.json", "points outside the file"}},
	}
	for _, c := range cases {
		_, err := Load(mapFS(map[string]string{"ok.json": okSchema, "bad.json": c.text}))
		if err == nil {
			t.Errorf("%s: Load accepted it", c.rule)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error lacks %q:\n%v", c.rule, w, err)
			}
		}
	}
}

func TestLoadReportsEveryBadFile(t *testing.T) {
	_, err := Load(mapFS(map[string]string{"a.json": `{`, "b.json": `{"type": "object"}`, "ok.json": okSchema}))
	if err == nil || !strings.Contains(err.Error(), "schemas/a.json") || !strings.Contains(err.Error(), "schemas/b.json") {
		t.Fatalf("want both bad files named, got %v", err)
	}
	if strings.Contains(err.Error(), "ok.json") {
		t.Errorf("the good file is blamed: %v", err)
	}
}

func TestLoadNeedsSchemaFiles(t *testing.T) {
	if _, err := Load(nil); err == nil || !strings.Contains(err.Error(), "nil") {
		t.Errorf("nil fs: %v", err)
	}
	_, err := Load(mapFS(map[string]string{"README.md": "x", "sub/x.json": okSchema}))
	if err == nil || !strings.Contains(err.Error(), "no *.json files") {
		t.Errorf("no top-level schema: %v", err)
	}
}

// TestLoadAcceptsADraft07FileLikeTheReportSchema covers the files other
// packages add (schemas/report.schema.json): any valid draft-07 schema,
// with or without the trailing "#" on $schema, local $refs included.
func TestLoadAcceptsADraft07FileLikeTheReportSchema(t *testing.T) {
	report := strings.Replace(okSchema, "draft-07/schema#", "draft-07/schema", 1)
	r, err := Load(mapFS(map[string]string{"ok.json": okSchema, "report.schema.json": report, "notes.txt": "ignored"}))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(r.Names(), ","); got != "ok.json,report.schema.json" {
		t.Errorf("Names = %s", got)
	}
	errs, err := r.Validate("report.schema.json", []byte(`{"n": 1.5, "a/b~c": "x"}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) != 2 || errs[0].Pointer != "/a~1b~0c" || errs[1].Pointer != "/n" || errs[1].Keyword != "type" {
		t.Errorf("want RFC 6901-escaped /a~1b~0c then the local-$ref type error at /n, got %v", errs)
	}
}

func TestDefaultIsCompiledOnceAndHoldsEveryResponseSchema(t *testing.T) {
	a, errA := Default()
	b, errB := Default()
	if errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	if a != b {
		t.Error("Default compiled the schemas twice")
	}
	for _, s := range responseSchemas {
		if !a.Has(s.name) {
			t.Errorf("the embedded schemas lack %s (have %v)", s.name, a.Names())
		}
	}
	if a.Has("nope.json") || (*Registry)(nil).Has("bills.json") {
		t.Error("Has reports a schema that is not there")
	}
	names := a.Names()
	names[0] = "changed"
	if a.Names()[0] == "changed" {
		t.Error("Names exposes the registry's own slice")
	}
}

func TestTheSuitesOwnDocumentSchemasAreKeptApart(t *testing.T) {
	api, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	docs, err := Documents()
	if err != nil {
		t.Fatal(err)
	}
	if api.Has("report.schema.json") {
		t.Error("Default holds report.schema.json: a conformance run would compile it for nothing")
	}
	if !docs.Has("report.schema.json") || docs.Has("bills.json") {
		t.Errorf("Documents should hold the report's schema only: %v", docs.Names())
	}
	if errs, err := docs.Validate("report.schema.json", []byte(`{}`)); err != nil || len(errs) == 0 {
		t.Errorf("an empty object is not a report: %v %v", errs, err)
	}
}

func TestLoadReportsEveryBadFileAtOnce(t *testing.T) {
	_, err := Load(mapFS(map[string]string{"a.json": `{`, "b.json": `{"type": "object"}`, "ok.json": okSchema}))
	if err == nil || !strings.Contains(err.Error(), "schemas/a.json") || !strings.Contains(err.Error(), "schemas/b.json") {
		t.Errorf("compiled side by side, every bad file must still be named: %v", err)
	}
}

func TestValidateRefusesUnknownNamesAndNonJSON(t *testing.T) {
	r := defaultRegistry(t)
	_, err := r.Validate("bill.json", []byte(`[]`))
	if err == nil || !strings.Contains(err.Error(), `unknown schema "bill.json"`) || !strings.Contains(err.Error(), "bills.json") {
		t.Errorf("unknown name: want the name and the available ones, got %v", err)
	}
	for body, want := range map[string]string{
		`<html>oops</html>`: "byte offset 1",
		`[{"_id": "a"`:      "ends early",
		`[] []`:             "byte offset 3: more data follows",
		" \n ":              "the body is empty",
	} {
		_, err := r.Validate("bills.json", []byte(body))
		if err == nil || !strings.Contains(err.Error(), "not JSON") || !strings.Contains(err.Error(), want) {
			t.Errorf("body %q: want a not-JSON error with %q, got %v", body, want, err)
		}
	}
	if _, err := (*Registry)(nil).Validate("bills.json", []byte(`[]`)); err == nil {
		t.Error("a nil registry validated")
	}
}

func TestCheckCatalogue(t *testing.T) {
	r := defaultRegistry(t)
	c, err := catalogue.Default()
	if err != nil {
		t.Fatal(err)
	}
	if err := r.CheckCatalogue(c); err != nil {
		t.Fatalf("the default catalogue names a schema that is missing: %v", err)
	}
	c.Endpoints[2].Schema = "categorys.json"
	err = r.CheckCatalogue(c)
	if err == nil {
		t.Fatal("a bogus schema name passed")
	}
	for _, want := range []string{`endpoint "categories"`, "/api/v2/list/categories", `"categorys.json"`, "categories.json, error.json"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	if err := r.CheckCatalogue(nil); err == nil {
		t.Error("a nil catalogue passed")
	}
	if err := (*Registry)(nil).CheckCatalogue(c); err == nil {
		t.Error("a nil registry passed")
	}
}

// TestValidateIsSafeForParallelSpecs runs under -race: one compiled
// registry serves every goroutine.
func TestValidateIsSafeForParallelSpecs(t *testing.T) {
	r := defaultRegistry(t)
	good := encode(t, sample(t, "bills.json"))
	bad := with(t, "bills.json", "/0/total", "1")
	var wg sync.WaitGroup
	failures := make(chan error, 16)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 20; j++ {
				g, err1 := r.Validate("bills.json", good)
				b, err2 := r.Validate("bills.json", bad)
				if err := errors.Join(err1, err2); err != nil || len(g) != 0 || len(b) != 1 {
					failures <- fmt.Errorf("good %v, bad %v, err %w", g, b, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(failures)
	for err := range failures {
		t.Error(err)
	}
}

func TestErrorsAreSortedByPointer(t *testing.T) {
	ptrs := []string{"/10/a", "", "/2", "/2/x", "/b", "/1", "/01", "/a"}
	for i := range ptrs {
		for j := range ptrs {
			if (comparePointers(ptrs[i], ptrs[j]) < 0) && (comparePointers(ptrs[j], ptrs[i]) < 0) {
				t.Errorf("%q and %q are each before the other", ptrs[i], ptrs[j])
			}
		}
	}
	errs := convert(nil, nil)
	if len(errs) != 0 {
		t.Error("no results gave errors")
	}
	r := defaultRegistry(t)
	var items []string
	for i := 0; i < 12; i++ {
		items = append(items, `{"_id": "x", "total": "bad", "payments": [], "products": []}`)
	}
	got, err := r.Validate("bills.json", []byte("["+strings.Join(items, ",")+"]"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 12 || got[1].Pointer != "/1/total" || got[2].Pointer != "/2/total" || got[11].Pointer != "/11/total" {
		t.Errorf("want /0../11 in numeric order, got %v", got)
	}
}
