package schema

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/onsi/gomega/types"

	"github.com/winston-conformance/winston-conformance/harness/redact"
)

// BodyProvider is what MatchSchema accepts besides raw bytes: a response
// type implements it to hand over the body it received, so a spec writes
// Expect(resp).To(MatchSchema(reg, ep.Schema)).
type BodyProvider interface {
	// SchemaBody returns the body to validate, as received.
	SchemaBody() []byte
}

// ExcerptLimit is how many bytes of the (redacted) body a failure message
// quotes; the rest is counted, not shown.
const ExcerptLimit = 1024

// MaxListedErrors caps the error lines of one failure message, so a list of
// a thousand broken bills still reads; the rest are counted. Validate and
// FormatErrors return every error.
const MaxListedErrors = 50

// MatchSchema succeeds when the actual body validates against the schema
// named name in r ("bills.json"). The actual value may be a []byte, a
// string, a json.RawMessage, or any value implementing BodyProvider.
//
// The failure message starts "response does not match schemas/<name>:",
// then lists one line per error, "  <pointer>  <keyword>: <message>", then
// quotes the first ExcerptLimit bytes of the body. Everything passes
// through redact.Global(), so a key echoed in a body never reaches the log.
// An unknown schema name, an unsupported actual type, or a body that is not
// JSON makes the assertion fail with an error saying so.
func MatchSchema(r *Registry, name string) types.GomegaMatcher {
	return &schemaMatcher{reg: r, name: name}
}

// schemaMatcher keeps no state between Match and FailureMessage, so one
// matcher value may be shared by parallel specs.
type schemaMatcher struct {
	reg  *Registry
	name string
}

// Match implements types.GomegaMatcher.
func (m *schemaMatcher) Match(actual any) (bool, error) {
	body, err := bodyOf(actual)
	if err != nil {
		return false, err
	}
	errs, err := m.reg.Validate(m.name, body)
	if err != nil {
		return false, fmt.Errorf("%w\n%s", redact.Global().Error(err), excerpt(body))
	}
	return len(errs) == 0, nil
}

// FailureMessage implements types.GomegaMatcher.
func (m *schemaMatcher) FailureMessage(actual any) string {
	body, err := bodyOf(actual)
	if err != nil {
		return err.Error()
	}
	errs, err := m.reg.Validate(m.name, body)
	if err != nil {
		return redact.Global().String(err.Error()) + "\n" + excerpt(body)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "response does not match schemas/%s:\n", m.name)
	red := redact.Global()
	for i, e := range errs {
		if i == MaxListedErrors {
			fmt.Fprintf(&b, "  ... and %d more errors\n", len(errs)-MaxListedErrors)
			break
		}
		fmt.Fprintf(&b, "  %s  %s: %s\n", displayPointer(e.Pointer), e.Keyword, red.String(e.Message))
	}
	b.WriteString(excerpt(body))
	return b.String()
}

// NegatedFailureMessage implements types.GomegaMatcher.
func (m *schemaMatcher) NegatedFailureMessage(actual any) string {
	body, err := bodyOf(actual)
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("response matches schemas/%s, but it was expected not to:\n%s", m.name, excerpt(body))
}

// bodyOf extracts the bytes to validate from the kinds of actual value the
// matcher accepts.
func bodyOf(actual any) ([]byte, error) {
	switch v := actual.(type) {
	case nil:
		return nil, errors.New("match schema: the actual value is nil: pass the response body ([]byte, string, json.RawMessage) or a value with a SchemaBody() []byte method")
	case []byte:
		return v, nil
	case json.RawMessage:
		return v, nil
	case string:
		return []byte(v), nil
	case BodyProvider:
		if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && rv.IsNil() {
			return nil, fmt.Errorf("match schema: the actual value is a nil %T: check the request's error before validating its body", v)
		}
		return v.SchemaBody(), nil
	default:
		return nil, fmt.Errorf("match schema: cannot validate a %T: pass the response body ([]byte, string, json.RawMessage) or a value with a SchemaBody() []byte method", actual)
	}
}

// excerpt quotes the start of body for a failure message. The whole body
// is redacted before it is cut, so a key that straddles the cut is still
// replaced, and the cut falls on a UTF-8 boundary.
func excerpt(body []byte) string {
	red := redact.Global().Bytes(body)
	if len(red) <= ExcerptLimit {
		return fmt.Sprintf("body (%d bytes):\n%s", len(red), red)
	}
	cut := ExcerptLimit
	for cut > 0 && !utf8.RuneStart(red[cut]) {
		cut--
	}
	return fmt.Sprintf("body (first %d of %d bytes):\n%s", cut, len(red), red[:cut])
}
