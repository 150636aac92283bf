package schema

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/onsi/gomega"
)

// testSecret is registered with the global redactor by TestMain, for the
// tests that check redaction; no other test of this package uses it.
const testSecret = "sk_schema_test_7f3a9c2e1b"

// fakeResponse stands for the client's response type.
type fakeResponse struct{ body []byte }

func (r *fakeResponse) SchemaBody() []byte { return r.body }

type valueResponse struct{ body string }

func (r valueResponse) SchemaBody() []byte { return []byte(r.body) }

// assertion runs one Gomega assertion and returns its failure message, ""
// when it passed.
func assertion(run func(g gomega.Gomega)) string {
	var msg string
	g := gomega.NewGomega(func(message string, _ ...int) { msg = message })
	run(g)
	return msg
}

func TestMatchSchemaAcceptsEveryBodyForm(t *testing.T) {
	r := defaultRegistry(t)
	body := encode(t, sample(t, "bills.json"))
	forms := map[string]any{
		"[]byte":              body,
		"string":              string(body),
		"json.RawMessage":     json.RawMessage(body),
		"pointer to response": &fakeResponse{body: body},
		"response value":      valueResponse{body: string(body)},
	}
	for form, actual := range forms {
		if msg := assertion(func(g gomega.Gomega) { g.Expect(actual).To(MatchSchema(r, "bills.json")) }); msg != "" {
			t.Errorf("%s: a valid body failed:\n%s", form, msg)
		}
	}
}

func TestMatchSchemaFailureListsPointerKeywordMessage(t *testing.T) {
	r := defaultRegistry(t)
	body := []byte(`[{"total": "42.50", "payments": [], "products": []}]`)
	msg := assertion(func(g gomega.Gomega) { g.Expect(body).To(MatchSchema(r, "bills.json")) })
	want := "response does not match schemas/bills.json:\n" +
		"  /0  required: _id is required\n" +
		"  /0/total  type: Invalid type. Expected: number, given: string\n" +
		"body (52 bytes):\n" + string(body)
	if msg != want {
		t.Errorf("failure message:\n%s\nwant:\n%s", msg, want)
	}
	wrapper := assertion(func(g gomega.Gomega) {
		g.Expect(`{"status":"success","data":[]}`).To(MatchSchema(r, "bills.json"))
	})
	if !strings.Contains(wrapper, "  /  type: Invalid type. Expected: array, given: object\n") {
		t.Errorf("the v1 wrapper: want a root type line, got:\n%s", wrapper)
	}
}

func TestMatchSchemaNegated(t *testing.T) {
	r := defaultRegistry(t)
	msg := assertion(func(g gomega.Gomega) { g.Expect(`[]`).NotTo(MatchSchema(r, "bills.json")) })
	if !strings.HasPrefix(msg, "response matches schemas/bills.json, but it was expected not to:") || !strings.Contains(msg, "body (2 bytes):\n[]") {
		t.Errorf("negated failure:\n%s", msg)
	}
	if msg := assertion(func(g gomega.Gomega) { g.Expect(`{}`).NotTo(MatchSchema(r, "bills.json")) }); msg != "" {
		t.Errorf("an object is not a bills list, yet NotTo failed:\n%s", msg)
	}
}

func TestMatchSchemaErrorsOnWhatItCannotJudge(t *testing.T) {
	r := defaultRegistry(t)
	var nilResp *fakeResponse
	cases := []struct {
		rule   string
		reg    *Registry
		name   string
		actual any
		want   []string
	}{
		{"a body that is not JSON", r, "bills.json", "<html>Bad Gateway</html>", []string{"not JSON", "byte offset 1", "body (24 bytes):\n<html>Bad Gateway</html>"}},
		{"an unknown schema", r, "bill.json", "[]", []string{`unknown schema "bill.json"`, "bills.json"}},
		{"no registry", nil, "bills.json", "[]", []string{"schema.Default()"}},
		{"an unsupported type", r, "bills.json", 42, []string{"cannot validate a int", "SchemaBody"}},
		{"nil", r, "bills.json", nil, []string{"actual value is nil"}},
		{"a nil response", r, "bills.json", nilResp, []string{"nil *schema.fakeResponse", "check the request's error"}},
	}
	for _, c := range cases {
		ok, err := MatchSchema(c.reg, c.name).Match(c.actual)
		if ok || err == nil {
			t.Errorf("%s: Match = %v, %v; want an error", c.rule, ok, err)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error lacks %q:\n%v", c.rule, w, err)
			}
		}
	}
}

func TestMatchSchemaRedactsTheBodyAndMessages(t *testing.T) {
	r := defaultRegistry(t)
	echo := fmt.Sprintf(`[{"_id": "x", "total": "Token api_test@%s", "payments": [], "products": []}]`, testSecret)
	msg := assertion(func(g gomega.Gomega) { g.Expect(echo).To(MatchSchema(r, "bills.json")) })
	if strings.Contains(msg, testSecret) || !strings.Contains(msg, "<SCHEMA_TEST_KEY>") {
		t.Errorf("the key reached the failure message:\n%s", msg)
	}
	// The key straddles the excerpt's cut: it must be redacted before the cut.
	pad := strings.Repeat(" ", ExcerptLimit-len(`["`)-5)
	straddle := `[` + pad + `"` + testSecret + `"]`
	msg = assertion(func(g gomega.Gomega) { g.Expect(straddle).To(MatchSchema(r, "bills.json")) })
	if strings.Contains(msg, testSecret[:5]) {
		t.Errorf("part of the key leaked at the excerpt's cut:\n%q", msg[len(msg)-40:])
	}
	_, err := MatchSchema(r, "bills.json").Match("not json " + testSecret)
	if err == nil || strings.Contains(err.Error(), testSecret) {
		t.Errorf("the not-JSON error leaks the key: %v", err)
	}
	lines := FormatErrors([]Error{{Pointer: "/0/total", Keyword: "const", Message: "Does not match: " + testSecret}})
	if len(lines) != 1 || lines[0] != "/0/total: const: Does not match: <SCHEMA_TEST_KEY>" {
		t.Errorf("FormatErrors = %q", lines)
	}
}

func TestMatchSchemaBoundsItsOutput(t *testing.T) {
	r := defaultRegistry(t)
	big := "[" + strings.Repeat(`"é",`, 700) + `"é"]` // 2-byte runes: the cut must not split one
	msg := assertion(func(g gomega.Gomega) { g.Expect(big).To(MatchSchema(r, "bills.json")) })
	if !strings.Contains(msg, fmt.Sprintf("  ... and %d more errors\n", 701-MaxListedErrors)) {
		t.Errorf("want the error list capped at %d lines:\n%s", MaxListedErrors, msg)
	}
	if got := strings.Count(msg, "  type: "); got != MaxListedErrors {
		t.Errorf("listed %d errors, want %d", got, MaxListedErrors)
	}
	i := strings.Index(msg, "body (first ")
	if i < 0 || !strings.Contains(msg, fmt.Sprintf(" of %d bytes):\n", len(big))) {
		t.Fatalf("want a truncated excerpt, got:\n%s", msg)
	}
	quoted := msg[strings.Index(msg[i:], "\n")+i+1:]
	if len(quoted) > ExcerptLimit || len(quoted) < ExcerptLimit-1 || !strings.HasPrefix(big, quoted) {
		t.Errorf("excerpt is %d bytes, want the first ~%d bytes of the body on a rune boundary", len(quoted), ExcerptLimit)
	}
}

func TestFormatErrors(t *testing.T) {
	if FormatErrors(nil) != nil {
		t.Error("no errors should give nil, which evidence omits")
	}
	got := FormatErrors([]Error{
		{Pointer: "", Keyword: "type", Message: "Invalid type. Expected: array, given: object"},
		{Pointer: "/0", Keyword: "required", Message: "_id is required"},
	})
	want := []string{"/: type: Invalid type. Expected: array, given: object", "/0: required: _id is required"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("FormatErrors = %q, want %q", got, want)
	}
}
