package schema

import (
	"fmt"
	"strings"
	"testing"

	"github.com/xeipuuv/gojsonschema"

	"github.com/winston-conformance/winston-conformance/schemas"
)

// hundredBills is a bills body of the default page size (100 bills), each
// with two payments and three products.
func hundredBills() []byte {
	var b strings.Builder
	b.WriteString("[")
	for i := 0; i < 100; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"_id":"bill-%04d","total":%d.50,"businessDay":"2026-11-20",`+
			`"createdAt":"2026-11-20T%02d:%02d:00Z","modifiedAt":"2026-11-20T%02d:%02d:30Z",`+
			`"payments":[{"amount":%d.50,"status":"failed","machine_name":"pin"},{"amount":%d.50,"status":"complete","machine_name":"cash"}],`+
			`"products":[{"category_id":"cat-drinks","product_id":"prod-cola","name":"Cola","price":3.5,"quantity":2},`+
			`{"category_id":"cat-food","product_id":"prod-soup","name":"Soup","price":6.25,"quantity":1},{"category_id":"cat-misc"}]}`,
			i, 10+i, i%24, i%60, i%24, i%60, 10+i, 10+i)
	}
	b.WriteString("]")
	return []byte(b.String())
}

func TestHundredBillsIsValid(t *testing.T) {
	errs, err := defaultRegistry(t).Validate("bills.json", hundredBills())
	if err != nil || len(errs) != 0 {
		t.Fatalf("the benchmark body must be valid: %v %v", err, errs)
	}
}

// BenchmarkValidate shows why schemas are compiled once: "compiled" is what
// specs pay per answer not seen before, "recompiled" what they would pay
// compiling per call. Both validate, past the Registry's memory of bodies
// already validated ("remembered" is what an answer seen before costs).
func BenchmarkValidate(b *testing.B) {
	body := hundredBills()
	reg := defaultRegistry(b)
	b.Run("compiled", func(b *testing.B) {
		b.ReportAllocs()
		s, err := reg.lookup("bills.json")
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if errs, err := validate(s, reg.docs["bills.json"], "bills.json", body); err != nil || len(errs) != 0 {
				b.Fatal(err, errs)
			}
		}
	})
	b.Run("remembered", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if errs, err := reg.Validate("bills.json", body); err != nil || len(errs) != 0 {
				b.Fatal(err, errs)
			}
		}
	})
	data, err := schemas.FS.ReadFile("bills.json")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("recompiled", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			s, _, err := compile("bills.json", data)
			if err != nil {
				b.Fatal(err)
			}
			r := &Registry{schemas: map[string]*gojsonschema.Schema{"bills.json": s}, names: []string{"bills.json"}}
			if errs, err := r.Validate("bills.json", body); err != nil || len(errs) != 0 {
				b.Fatal(err, errs)
			}
		}
	})
}

// FuzzValidate feeds arbitrary bytes to Validate: it may return an error or
// schema errors, but must never panic, and what it returns is well formed.
func FuzzValidate(f *testing.F) {
	reg := defaultRegistry(f)
	for _, seed := range []string{
		`[]`, `{}`, `null`, ``, `[{"_id":"a","total":1,"payments":[],"products":[]}]`,
		`{"status":"success","data":[]}`, `[{"_id":1e400,"total":-0.0e-999}]`,
		`[{"payments":[{"amount":null}],"products":[{"category_id":{}}]}]`,
		`[{"a/b~c":1,"":2}]`, `[[[[[[[[[[]]]]]]]]]]`, `"\ud800"`, "\xff\xfe", `[1,]`, `[] []`,
		`[{"createdAt":"2026-13-45T99:99:99Z","businessDay":"\u0000"}]`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		errs, err := reg.Validate("bills.json", body)
		if err != nil && errs != nil {
			t.Fatalf("both an error and schema errors: %v %v", err, errs)
		}
		for _, e := range errs {
			if e.Keyword == "" || e.Message == "" || (e.Pointer != "" && !strings.HasPrefix(e.Pointer, "/")) {
				t.Fatalf("malformed schema error %#v", e)
			}
		}
		_ = FormatErrors(errs)
	})
}
