package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/xeipuuv/gojsonschema"

	"github.com/winston-conformance/winston-conformance/harness/redact"
)

// Error is one place where a body breaks its schema.
type Error struct {
	// Pointer is the RFC 6901 JSON pointer of the offending value in the
	// body, e.g. "/0/payments/1/amount". The whole body is "" (RFC 6901's
	// root); String and FormatErrors show it as "/". For "required" the
	// pointer is the object that lacks the property, and Message names it.
	Pointer string `json:"pointer"`
	// Keyword is the JSON Schema keyword that failed: "type", "required",
	// "enum", "format", "pattern", "minLength", ...
	Keyword string `json:"keyword"`
	// Message explains the failure in words, e.g.
	// "Invalid type. Expected: number, given: string".
	Message string `json:"message"`
	// Inferred is true when the error is about what the schema only
	// infers (a property marked "x-inferred", or one inside such a
	// property): a name or a format the docs do not give. Such an error
	// is no broken documented rule.
	Inferred bool `json:"inferred,omitempty"`
}

// String renders the error as "pointer: keyword: message", with the root
// pointer shown as "/". The text is not redacted; FormatErrors is.
func (e Error) String() string {
	return displayPointer(e.Pointer) + ": " + e.Keyword + ": " + e.Message
}

// Validate checks body against the schema named name ("bills.json") and
// returns every schema error, sorted by pointer (array indices in numeric
// order), then keyword, then message; an empty slice means the body is
// valid. The error result is only for an unknown schema name or a body that
// is not one JSON value (its message gives the byte offset).
func (r *Registry) Validate(name string, body []byte) ([]Error, error) {
	s, err := r.lookup(name)
	if err != nil {
		return nil, fmt.Errorf("validate: %w", err)
	}
	if errs, ok := r.seen.get(name, body); ok {
		return errs, nil
	}
	errs, err := validate(s, r.docs[name], name, body)
	if err == nil {
		r.seen.put(name, body, errs)
	}
	return slices.Clone(errs), err
}

// validate is Validate of body against s, the schema named name.
func validate(s *gojsonschema.Schema, schemaDoc map[string]any, name string, body []byte) ([]Error, error) {
	var doc any
	if err := decodeOne(body, &doc); err != nil {
		return nil, fmt.Errorf("validate against schemas/%s: the body is not JSON: %w", name, err)
	}
	if ptr, n, ok := outOfRange(doc, ""); ok {
		// The validator spends tens of milliseconds on each such number, so
		// a hostile body of them would stall the run for hours.
		return nil, fmt.Errorf("validate against schemas/%s: the number %.40s at %s is beyond what a float64 holds: no client can read it", name, n, displayPointer(ptr))
	}
	res, err := s.Validate(gojsonschema.NewRawLoader(doc))
	if err != nil {
		return nil, fmt.Errorf("validate against schemas/%s: %w", name, err)
	}
	return convert(res.Errors(), schemaDoc), nil
}

// resultsBudget bounds the bytes of bodies a Registry keeps with their
// results: enough for every distinct answer of a run (the recorded ones
// come to under a megabyte), not a growing heap on a long live run of
// large answers, whose bodies beyond it are validated each time.
const resultsBudget = 16 << 20

// results maps a schema name and a body to the body's schema errors. The
// zero value is ready; it is safe for concurrent use.
type results struct {
	mu    sync.Mutex
	m     map[string][]Error
	bytes int
}

func resultKey(name string, body []byte) string { return name + "\x00" + string(body) }

// get returns a copy of the errors of body against name, if known.
func (r *results) get(name string, body []byte) ([]Error, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	errs, ok := r.m[resultKey(name, body)]
	return slices.Clone(errs), ok
}

// put keeps errs as the result of body against name, within the budget.
func (r *results) put(name string, body []byte, errs []Error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.bytes+len(body) > resultsBudget {
		return
	}
	if r.m == nil {
		r.m = map[string][]Error{}
	}
	key := resultKey(name, body)
	if _, ok := r.m[key]; !ok {
		r.m[key] = slices.Clone(errs)
		r.bytes += len(key)
	}
}

// InferredMark is the x-inferred keyword of a schema property: "name"
// when the property's very name is inferred (it is then never required),
// "value" when its name is documented and what the schema says of its
// value (type, format, pattern) is inferred.
const InferredMark = "x-inferred"

// inferredAt reports whether an error at pointer (of keyword, and for
// "required" the missing property) is about what the schema only infers:
// a value at or under a property marked InferredMark, or a missing
// property marked with its name inferred. A pointer the walk cannot
// follow (combinators, which these schemas do not use) counts as
// documented, so that nothing is excused by mistake.
func inferredAt(schemaDoc map[string]any, pointer, keyword, missing string) bool {
	if schemaDoc == nil {
		return false
	}
	node := any(schemaDoc)
	inferred := false
	tokens := []string{}
	if pointer != "" {
		tokens = strings.Split(strings.TrimPrefix(pointer, "/"), "/")
	}
	for _, tok := range tokens {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m := resolveRef(schemaDoc, node)
		if m == nil {
			return inferred
		}
		if props, ok := m["properties"].(map[string]any); ok {
			if p, ok := props[tok]; ok {
				node = p
				if pm := resolveRef(schemaDoc, p); pm != nil && pm[InferredMark] != nil {
					inferred = true
				}
				continue
			}
		}
		if items, ok := m["items"]; ok {
			node = items
			continue
		}
		return inferred
	}
	if keyword == "required" && missing != "" {
		if m := resolveRef(schemaDoc, node); m != nil {
			if props, ok := m["properties"].(map[string]any); ok {
				if pm := resolveRef(schemaDoc, props[missing]); pm != nil && pm[InferredMark] == "name" {
					return true
				}
			}
		}
	}
	return inferred
}

// resolveRef follows a node's local "$ref" (#/definitions/x, as checkRefs
// allows; gojsonschema rewrites it in place to the schema's $id with that
// fragment) to the object it names; nil for what is not an object.
func resolveRef(schemaDoc map[string]any, node any) map[string]any {
	for range 8 {
		m, ok := node.(map[string]any)
		if !ok {
			return nil
		}
		ref, ok := m["$ref"].(string)
		if !ok {
			return m
		}
		var next any = schemaDoc
		_, fragment, _ := strings.Cut(ref, "#")
		for _, part := range strings.Split(fragment, "/") {
			if part == "" {
				continue
			}
			nm, ok := next.(map[string]any)
			if !ok {
				return nil
			}
			next = nm[part]
		}
		node = next
	}
	return nil
}

// InferredNote ends a formatted schema error about what the schema only
// infers: such an error is shown, and judged by no check.
const InferredNote = " (inferred, not judged: the docs do not give this name or form)"

// FormatErrors renders errs as "pointer: keyword: message" lines (the form
// evidence.Finding.SchemaErrors holds), passed through redact.Global() so a
// key quoted in a message never reaches a report.
func FormatErrors(errs []Error) []string {
	if len(errs) == 0 {
		return nil
	}
	red := redact.Global()
	out := make([]string, len(errs))
	for i, e := range errs {
		out[i] = red.String(e.String())
		if e.Inferred {
			out[i] += InferredNote
		}
	}
	return out
}

// decodeOne decodes exactly one JSON value from data, numbers kept as
// json.Number so that "integer" is judged on the text (1.0 vs 1), as
// gojsonschema's own loaders do.
func decodeOne(data []byte, v *any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		var syn *json.SyntaxError
		switch {
		case errors.As(err, &syn):
			return fmt.Errorf("at byte offset %d: %w", syn.Offset, err)
		case errors.Is(err, io.EOF):
			if len(bytes.TrimSpace(data)) == 0 {
				return errors.New("the body is empty")
			}
			return fmt.Errorf("at byte offset %d: %w", len(data), err)
		case errors.Is(err, io.ErrUnexpectedEOF):
			return fmt.Errorf("at byte offset %d: the JSON value ends early: %w", len(data), err)
		default:
			return fmt.Errorf("at byte offset %d: %w", dec.InputOffset(), err)
		}
	}
	end := int(dec.InputOffset())
	for end < len(data) && isSpace(data[end]) {
		end++
	}
	if end < len(data) {
		return fmt.Errorf("at byte offset %d: more data follows the first JSON value: send exactly one value", end)
	}
	return nil
}

func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }

// convert maps gojsonschema's results to Errors, sorted and without
// duplicates (a value can fail the same keyword through two paths).
func convert(res []gojsonschema.ResultError, schemaDoc map[string]any) []Error {
	out := make([]Error, 0, len(res))
	seen := make(map[Error]bool, len(res))
	for _, re := range res {
		e := Error{Pointer: pointerOf(re.Context()), Keyword: keywordOf(re), Message: re.Description()}
		missing, _ := re.Details()["property"].(string)
		e.Inferred = inferredAt(schemaDoc, e.Pointer, e.Keyword, missing)
		if seen[e] {
			continue
		}
		seen[e] = true
		out = append(out, e)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if c := comparePointers(out[i].Pointer, out[j].Pointer); c != 0 {
			return c < 0
		}
		if out[i].Keyword != out[j].Keyword {
			return out[i].Keyword < out[j].Keyword
		}
		return out[i].Message < out[j].Message
	})
	return out
}

// pathSep joins context tokens so that they can be split again; JSON keys
// in API answers do not contain NUL.
const pathSep = "\x00"

// pointerOf turns gojsonschema's context ("(root)", "0", "payments", ...)
// into an RFC 6901 pointer. The context only offers String, so the tokens
// are joined with NUL and split back, then escaped.
func pointerOf(ctx *gojsonschema.JsonContext) string {
	if ctx == nil {
		return ""
	}
	tokens := strings.Split(ctx.String(pathSep), pathSep)
	var b strings.Builder
	for _, t := range tokens[1:] { // tokens[0] is gojsonschema's "(root)"
		b.WriteByte('/')
		b.WriteString(escapeToken(t))
	}
	return b.String()
}

// escapeToken applies RFC 6901's escapes: "~" first, then "/".
func escapeToken(t string) string {
	return strings.ReplaceAll(strings.ReplaceAll(t, "~", "~0"), "/", "~1")
}

// displayPointer shows the root pointer "" as "/", which reads better in a
// failure line than an empty column.
func displayPointer(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

// comparePointers orders pointers token by token, numeric tokens by value,
// so /2 comes before /10 and a parent before its children.
func comparePointers(a, b string) int {
	if a == b {
		return 0
	}
	at, bt := strings.Split(a, "/"), strings.Split(b, "/")
	for i := 0; i < len(at) && i < len(bt); i++ {
		if at[i] == bt[i] {
			continue
		}
		an, aerr := strconv.Atoi(at[i])
		bn, berr := strconv.Atoi(bt[i])
		switch {
		case aerr == nil && berr == nil && an != bn:
			if an < bn {
				return -1
			}
			return 1
		case aerr == nil && berr == nil: // "01" and "1": fall back to the text
			if at[i] < bt[i] {
				return -1
			}
			return 1
		case aerr == nil: // indices before keys
			return -1
		case berr == nil:
			return 1
		case at[i] < bt[i]:
			return -1
		default:
			return 1
		}
	}
	if len(at) < len(bt) {
		return -1
	}
	return 1
}

// keywordOf names the JSON Schema keyword behind a gojsonschema error;
// gojsonschema's own type names ("invalid_type", "string_gte") are not the
// keywords a schema author wrote.
func keywordOf(re gojsonschema.ResultError) string {
	switch re.(type) {
	case *gojsonschema.FalseError:
		return "false"
	case *gojsonschema.RequiredError:
		return "required"
	case *gojsonschema.InvalidTypeError:
		return "type"
	case *gojsonschema.NumberAnyOfError:
		return "anyOf"
	case *gojsonschema.NumberOneOfError:
		return "oneOf"
	case *gojsonschema.NumberAllOfError:
		return "allOf"
	case *gojsonschema.NumberNotError:
		return "not"
	case *gojsonschema.MissingDependencyError:
		return "dependencies"
	case *gojsonschema.ConstError:
		return "const"
	case *gojsonschema.EnumError:
		return "enum"
	case *gojsonschema.ArrayNoAdditionalItemsError:
		return "additionalItems"
	case *gojsonschema.ArrayMinItemsError:
		return "minItems"
	case *gojsonschema.ArrayMaxItemsError:
		return "maxItems"
	case *gojsonschema.ItemsMustBeUniqueError:
		return "uniqueItems"
	case *gojsonschema.ArrayContainsError:
		return "contains"
	case *gojsonschema.ArrayMinPropertiesError:
		return "minProperties"
	case *gojsonschema.ArrayMaxPropertiesError:
		return "maxProperties"
	case *gojsonschema.AdditionalPropertyNotAllowedError:
		return "additionalProperties"
	case *gojsonschema.InvalidPropertyPatternError:
		return "patternProperties"
	case *gojsonschema.InvalidPropertyNameError:
		return "propertyNames"
	case *gojsonschema.StringLengthGTEError:
		return "minLength"
	case *gojsonschema.StringLengthLTEError:
		return "maxLength"
	case *gojsonschema.DoesNotMatchPatternError:
		return "pattern"
	case *gojsonschema.DoesNotMatchFormatError:
		return "format"
	case *gojsonschema.MultipleOfError:
		return "multipleOf"
	case *gojsonschema.NumberGTEError:
		return "minimum"
	case *gojsonschema.NumberGTError:
		return "exclusiveMinimum"
	case *gojsonschema.NumberLTEError:
		return "maximum"
	case *gojsonschema.NumberLTError:
		return "exclusiveMaximum"
	case *gojsonschema.ConditionThenError:
		return "then"
	case *gojsonschema.ConditionElseError:
		return "else"
	default:
		return re.Type() // "internal" and anything a later version adds
	}
}

// outOfRange finds the first number in doc that a float64 cannot hold,
// with its JSON pointer.
func outOfRange(v any, ptr string) (string, string, bool) {
	switch t := v.(type) {
	case json.Number:
		if _, err := strconv.ParseFloat(string(t), 64); err != nil {
			return ptr, string(t), true
		}
	case []any:
		for i, x := range t {
			if p, n, ok := outOfRange(x, ptr+"/"+strconv.Itoa(i)); ok {
				return p, n, true
			}
		}
	case map[string]any:
		for k, x := range t {
			if p, n, ok := outOfRange(x, ptr+"/"+escapeToken(k)); ok {
				return p, n, true
			}
		}
	}
	return "", "", false
}
