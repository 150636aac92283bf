package client

import (
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/winston-conformance/winston-conformance/harness/evidence"
)

// FuzzResponseJSON feeds arbitrary bodies to the decoding and describing a
// target's answer goes through: whatever a target sends, they must return,
// never panic.
func FuzzResponseJSON(f *testing.F) {
	for _, seed := range []string{
		`{"sort": {"createdAt": 1}, "limit": 5}`, `[{"_id": "b1", "total": 1e400}]`, `{"a": [1, 2`,
		`{"a":1} trailing`, "Unauthorized: invalid bearer token value", "", "\xff\xfe{", `"\ud800"`,
		`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[`, `{"a":-0.0e-0}`,
	} {
		f.Add([]byte(seed), 200)
	}
	f.Fuzz(func(t *testing.T, body []byte, status int) {
		r := &Response{Status: status, Body: body, Exchange: evidence.Exchange{
			Method: "POST", URL: "https://h/api/v2/bills", Status: status,
			ResponseBody: redactedExcerpt(body), ResponseBytes: len(body),
		}}
		_, err := r.JSON()
		// JSON agrees with the standard library on what is one JSON value,
		// so a check never passes a body that is not JSON, nor fails one
		// that is.
		if valid := json.Valid(body); valid != (err == nil) {
			t.Errorf("json.Valid %v but JSON() error %v for %q", valid, err, body)
		}
		if err != nil && !utf8.ValidString(err.Error()) {
			t.Errorf("error is not valid text: %q", err.Error())
		}
		_ = r.Describe()
		if ex := evidence.Excerpt(body, 7); !utf8.ValidString(ex) {
			t.Errorf("excerpt is not valid text: %q", ex)
		}
	})
}
