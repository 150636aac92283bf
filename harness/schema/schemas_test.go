package schema

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/winston-conformance/winston-conformance/schemas"
)

// responseSchemas is the contract of each response schema this package
// ships: the pointer of one object in its valid sample, the fields that
// object must have, and one value whose type is strict. The valid samples
// live in testdata/valid/<name>.
var responseSchemas = []struct {
	name     string
	object   string   // pointer of the object the required fields belong to
	required []string // every field the schema requires there
	typed    string   // a pointer whose type the schema fixes
	wrong    any      // a value of the wrong type for typed
	array    bool     // the body is a bare array (v2 lists)
}{
	{"bills.json", "/0", []string{"_id", "total", "payments", "products"}, "/0/total", "42.5", true},
	{"categories.json", "/0", []string{"_id", "parent_id"}, "/0/parent_id", 7, true},
	// Fields that are only inferred (a group's name, a product's or a
	// table's _id) are typed where present, never required: an answer
	// without them breaks no documented rule.
	// The guide names no field of a revenue group or of a VAT entry:
	// each is typed where present, and none is required.
	{"revenue-groups.json", "/0", []string{}, "/0/name", 3, true},
	{"vat-list.json", "/0", []string{}, "/0/vatRate", "21", true},
	{"products.json", "/0", []string{"name", "price", "category_id", "type"}, "/0/price", "3.50", true},
	{"tables.json", "/0", []string{"number", "status"}, "/0/number", true, true},
	// The create-order page documents no answer body: nothing is required.
	{"order.json", "", []string{}, "/paid", "false", false},
	{"error.json", "", []string{"error", "message"}, "/message", 400, false},
}

func defaultRegistry(t testing.TB) *Registry {
	t.Helper()
	r, err := Default()
	if err != nil {
		t.Fatalf("Default: %v", err)
	}
	return r
}

func sample(t testing.TB, name string) any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "valid", name))
	if err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := decodeOne(data, &doc); err != nil {
		t.Fatalf("sample %s: %v", name, err)
	}
	return doc
}

func encode(t testing.TB, doc any) []byte {
	t.Helper()
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// at walks doc to the parent of ptr's last token and returns both.
func at(t testing.TB, doc any, ptr string) (parent any, last string) {
	t.Helper()
	tokens := strings.Split(ptr, "/")[1:]
	cur := doc
	for _, tok := range tokens[:len(tokens)-1] {
		switch v := cur.(type) {
		case map[string]any:
			cur = v[tok]
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil {
				t.Fatalf("pointer %s: %v", ptr, err)
			}
			cur = v[i]
		}
	}
	return cur, tokens[len(tokens)-1]
}

// with returns a copy of the sample with ptr set to value, or removed when
// value is the remove marker.
func with(t testing.TB, name, ptr string, value any) []byte {
	t.Helper()
	doc := sample(t, name)
	parent, last := at(t, doc, ptr)
	switch p := parent.(type) {
	case map[string]any:
		if value == remove {
			delete(p, last)
		} else {
			p[last] = value
		}
	case []any:
		i, _ := strconv.Atoi(last)
		p[i] = value
	default:
		t.Fatalf("%s: %s has no container parent", name, ptr)
	}
	return encode(t, doc)
}

type removeMarker struct{}

var remove = removeMarker{}

func hasError(errs []Error, ptr, keyword, inMessage string) bool {
	for _, e := range errs {
		if e.Pointer == ptr && e.Keyword == keyword && strings.Contains(e.Message, inMessage) {
			return true
		}
	}
	return false
}

func TestEachSchemaAcceptsItsValidSample(t *testing.T) {
	r := defaultRegistry(t)
	for _, s := range responseSchemas {
		errs, err := r.Validate(s.name, encode(t, sample(t, s.name)))
		if err != nil || len(errs) != 0 {
			t.Errorf("%s rejects its valid sample (which has extra fields, so additionalProperties must stay open): %v %v", s.name, err, errs)
		}
	}
}

func TestEachRequiredFieldIsRequired(t *testing.T) {
	r := defaultRegistry(t)
	for _, s := range responseSchemas {
		for _, field := range s.required {
			errs, err := r.Validate(s.name, with(t, s.name, s.object+"/"+field, remove))
			if err != nil {
				t.Fatal(err)
			}
			if !hasError(errs, s.object, "required", field) {
				t.Errorf("%s without %s: want %q required naming %s, got %v", s.name, field, displayPointer(s.object), field, errs)
			}
		}
	}
}

func TestTypesAreStrict(t *testing.T) {
	r := defaultRegistry(t)
	for _, s := range responseSchemas {
		errs, err := r.Validate(s.name, with(t, s.name, s.typed, s.wrong))
		if err != nil {
			t.Fatal(err)
		}
		if !hasError(errs, s.typed, "type", "Invalid type") {
			t.Errorf("%s with %s = %#v: want a type error there, got %v", s.name, s.typed, s.wrong, errs)
		}
	}
}

func TestV1WrapperFailsEverySchema(t *testing.T) {
	r := defaultRegistry(t)
	for _, s := range responseSchemas {
		if len(s.required) == 0 && !s.array {
			// An answer whose body is not documented (create order)
			// may be wrapped: the v2 guides say some answers keep the
			// wrapper without saying which, so only STRUCT-006, a
			// SHOULD, judges it there.
			continue
		}
		wrapped := encode(t, map[string]any{"status": "success", "data": sample(t, s.name)})
		errs, err := r.Validate(s.name, wrapped)
		if err != nil {
			t.Fatal(err)
		}
		if len(errs) == 0 {
			t.Errorf("%s accepts the v1 {status, data} wrapper", s.name)
		}
		if s.array && !hasError(errs, "", "type", "Expected: array") {
			t.Errorf("%s: want a root type error (array expected), got %v", s.name, errs)
		}
	}
}

func TestBillDetails(t *testing.T) {
	r := defaultRegistry(t)
	cases := []struct {
		rule, ptr string
		value     any
		keyword   string
	}{
		{"a payment amount is a number", "/0/payments/1/amount", "42.50", "type"},
		{"a payment needs a status", "/0/payments/0/status", remove, "required"},
		{"a payment needs a machine_name", "/0/payments/1/machine_name", remove, "required"},
		{"a product needs a category_id", "/0/products/1/category_id", remove, "required"},
		{"a product quantity is an integer", "/0/products/0/quantity", 1.5, "type"},
		{"an _id is not empty", "/0/_id", "", "minLength"},
		{"businessDay is YYYY-MM-DD", "/0/businessDay", "20-11-2026", "pattern"},
		{"businessDay at a time other than midnight is not a day", "/0/businessDay", "2026-11-20T13:00:00Z", "pattern"},
		{"createdAt is a date-time", "/0/createdAt", "yesterday", "format"},
		{"modifiedAt is a date-time", "/0/modifiedAt", "2026-11-20 18:10", "format"},
		{"payments is an array", "/1/payments", map[string]any{}, "type"},
	}
	for _, c := range cases {
		errs, err := r.Validate("bills.json", with(t, "bills.json", c.ptr, c.value))
		if err != nil {
			t.Fatal(err)
		}
		want := c.ptr
		if c.keyword == "required" { // reported on the object that lacks it
			want = c.ptr[:strings.LastIndex(c.ptr, "/")]
		}
		if !hasError(errs, want, c.keyword, "") {
			t.Errorf("%s: want %s at %s, got %v", c.rule, c.keyword, want, errs)
		}
	}
}

// TestTheSchemasDemandNoMoreThanTheContract: a businessDay written as a
// timestamp at midnight is still a day, and an order answer with no body
// fields is within the create-order page, which documents none.
func TestTheSchemasDemandNoMoreThanTheContract(t *testing.T) {
	r := defaultRegistry(t)
	for _, c := range []struct {
		name, ptr string
		value     any
	}{
		{"bills.json", "/0/businessDay", "2026-11-20T00:00:00.000Z"},
		{"bills.json", "/0/businessDay", "2026-11-20T00:00:00+01:00"},
	} {
		if errs, err := r.Validate(c.name, with(t, c.name, c.ptr, c.value)); err != nil || len(errs) != 0 {
			t.Errorf("%s with %s = %v: want valid, got %v %v", c.name, c.ptr, c.value, err, errs)
		}
	}
	for _, body := range []string{`{}`, `{"number":"a1b2c3"}`, `{"number":12}`} {
		if errs, err := r.Validate("order.json", []byte(body)); err != nil || len(errs) != 0 {
			t.Errorf("order answer %s: want valid (the route page documents no body), got %v %v", body, err, errs)
		}
	}
}

func TestNullableAndEnumFields(t *testing.T) {
	r := defaultRegistry(t)
	ok := []struct{ name, ptr string }{
		{"categories.json", "/1/parent_id"},
		{"categories.json", "/0/revenueGroup_id"},
		{"vat-list.json", "/0/revenueGroup_id"},
		{"order.json", "/plan_id"},
	}
	for _, c := range ok {
		if errs, err := r.Validate(c.name, with(t, c.name, c.ptr, nil)); err != nil || len(errs) != 0 {
			t.Errorf("%s with %s null: want valid, got %v %v", c.name, c.ptr, err, errs)
		}
	}
	errs, _ := r.Validate("tables.json", with(t, "tables.json", "/1/status", "closed"))
	if !hasError(errs, "/1/status", "enum", "") {
		t.Errorf("table status closed: want enum at /1/status, got %v", errs)
	}
	errs, _ = r.Validate("products.json", with(t, "products.json", "/0/_id", nil))
	if !hasError(errs, "/0/_id", "type", "") {
		t.Errorf("product _id null: want type at /0/_id, got %v", errs)
	}
}

// TestSchemaFilesDescribeThemselves keeps the house rules of the response
// schemas: draft-07, an $id named after the file, a title, a description
// giving sources, and no closed objects anywhere.
func TestSchemaFilesDescribeThemselves(t *testing.T) {
	for _, s := range responseSchemas {
		doc, data := schemaDoc(t, s.name)
		if doc["$schema"] != Draft07 {
			t.Errorf("%s: $schema = %v", s.name, doc["$schema"])
		}
		if id, _ := doc["$id"].(string); !strings.HasSuffix(id, "/schemas/"+s.name) {
			t.Errorf("%s: $id %q does not end with /schemas/%s", s.name, id, s.name)
		}
		if title, _ := doc["title"].(string); title == "" {
			t.Errorf("%s: no title", s.name)
		}
		desc, _ := doc["description"].(string)
		if !strings.Contains(desc, "nferred") || (!strings.Contains(desc, "[docs") && !strings.Contains(desc, "[mission")) {
			t.Errorf("%s: the description must say which fields are documented (docs/mission) and which inferred: %q", s.name, desc)
		}
		if bytes.Contains(bytes.ReplaceAll(data, []byte(" "), nil), []byte(`"additionalProperties":false`)) {
			t.Errorf("%s closes an object: new fields are drift, not schema failures", s.name)
		}
	}
}

func TestANumberBeyondFloat64IsRefusedQuickly(t *testing.T) {
	reg, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	body := "[" + strings.Repeat(`{"_id":"a","total":1,"payments":[],"products":[]},`, 20) + `{"_id":"b","total":1e1000000,"payments":[],"products":[]}]`
	start := time.Now()
	_, err = reg.Validate("bills.json", []byte(body))
	if err == nil || !strings.Contains(err.Error(), "/20/total") {
		t.Errorf("want an error naming /20/total, got %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %s: a hostile body of such numbers must not stall the run", d)
	}
}

// A field the schemas mark [inferred] is never required: SCHEMA-001 rests
// on the docs, and an answer without a guessed field breaks no documented
// rule (the sandbox's own error body, which no check reads, aside).
func TestNoInferredFieldIsRequired(t *testing.T) {
	for _, s := range responseSchemas {
		if s.name == "error.json" {
			continue
		}
		data, err := os.ReadFile(filepath.Join("..", "..", "schemas", s.name))
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		var walk func(v any)
		walk = func(v any) {
			m, ok := v.(map[string]any)
			if !ok {
				if list, ok := v.([]any); ok {
					for _, x := range list {
						walk(x)
					}
				}
				return
			}
			props, _ := m["properties"].(map[string]any)
			req, _ := m["required"].([]any)
			for _, r := range req {
				p, _ := props[r.(string)].(map[string]any)
				if d, _ := p["description"].(string); strings.HasPrefix(d, "[inferred]") {
					t.Errorf("%s requires %s, which it marks [inferred]", s.name, r)
				}
			}
			for _, x := range m {
				walk(x)
			}
		}
		walk(doc)
	}
}

// Every property whose description says something of it is [inferred]
// carries the x-inferred mark, "name" when the property itself is, and
// nothing else does: the mark is what keeps an answer that differs in
// only what the docs do not give from failing SCHEMA-001 as a violation.
func TestInferredPropertiesAreMarked(t *testing.T) {
	for _, s := range responseSchemas {
		doc, _ := schemaDoc(t, s.name)
		var walk func(path string, v any)
		walk = func(path string, v any) {
			m, ok := v.(map[string]any)
			if !ok {
				return
			}
			for name, p := range mapOf(m["properties"]) {
				pm := mapOf(p)
				desc, _ := pm["description"].(string)
				mark, _ := pm[InferredMark].(string)
				switch {
				case strings.HasPrefix(desc, "[inferred]") && mark != "name":
					t.Errorf("%s%s/%s is all inferred (%q) but marked %q, want \"name\"", s.name, path, name, desc, mark)
				case strings.Contains(desc, "[inferred]") && mark == "":
					t.Errorf("%s%s/%s says part of it is inferred (%q) but has no %s", s.name, path, name, desc, InferredMark)
				case !strings.Contains(desc, "[inferred]") && mark != "":
					t.Errorf("%s%s/%s is marked %s but its description says nothing is inferred: %q", s.name, path, name, InferredMark, desc)
				}
				walk(path+"/"+name, p)
			}
			for name, d := range mapOf(m["definitions"]) {
				walk(path+"#"+name, d)
			}
			walk(path+"[]", m["items"])
		}
		walk("", doc)
	}
}

func mapOf(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// Errors about what a schema only infers are marked so; errors about what
// the docs give are not: a bill's total as a string breaks the docs, its
// createdAt in another format only the schema's guess.
func TestSchemaErrorsSayWhetherTheyRestOnAnInference(t *testing.T) {
	reg := defaultRegistry(t)
	for _, tc := range []struct {
		schema, body, pointer, keyword string
		inferred                       bool
	}{
		{"bills.json", `[{"_id":"a","total":"1","payments":[],"products":[]}]`, "/0/total", "type", false},
		{"bills.json", `[{"_id":"a","total":1,"payments":[],"products":[],"createdAt":"yesterday"}]`, "/0/createdAt", "format", true},
		{"bills.json", `[{"_id":"a","total":1,"payments":[],"products":[{"category_id":"c","price":"2"}]}]`, "/0/products/0/price", "type", true},
		{"bills.json", `[{"_id":"a","total":1,"payments":[{"amount":"2","status":"complete","machine_name":"pin"}],"products":[]}]`, "/0/payments/0/amount", "type", false},
		{"bills.json", `[{"total":1,"payments":[],"products":[]}]`, "/0", "required", false},
		{"vat-list.json", `[{"category_id":"c","vatRate":"21"}]`, "/0/vatRate", "type", true},
		{"tables.json", `[{"number":{"n":1},"status":"available"}]`, "/0/number", "type", true},
		{"tables.json", `[{"number":1}]`, "/0", "required", false},
	} {
		errs, err := reg.Validate(tc.schema, []byte(tc.body))
		if err != nil {
			t.Fatalf("%s: %v", tc.body, err)
		}
		found := false
		for _, e := range errs {
			if e.Pointer == tc.pointer && e.Keyword == tc.keyword {
				found = true
				if e.Inferred != tc.inferred {
					t.Errorf("%s %s at %s: inferred %v, want %v", tc.schema, tc.keyword, tc.pointer, e.Inferred, tc.inferred)
				}
			}
		}
		if !found {
			t.Errorf("%s: no %s error at %s in %v", tc.body, tc.keyword, tc.pointer, errs)
		}
	}
	// A missing property whose very name is inferred is marked inferred.
	if !inferredAt(map[string]any{"properties": map[string]any{"rate": map[string]any{InferredMark: "name"}}}, "", "required", "rate") {
		t.Error("a missing property whose name is inferred is not marked inferred")
	}
}

// schemaDoc is the embedded schema named name, decoded, and its bytes.
func schemaDoc(t *testing.T, name string) (map[string]any, []byte) {
	t.Helper()
	data, err := schemas.FS.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	return doc, data
}
