package client

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/winston-conformance/winston-conformance/harness/evidence"
)

func TestResponseJSON(t *testing.T) {
	cases := []struct {
		body    string
		wantErr string
	}{
		{`{"total": 12.50, "n": 12345678901234567890}`, ""},
		{` [1, 2] `, ""},
		{`{"a": 1,}`, "byte offset 9 of 9"},
		{`{"a": [1, 2`, "ends in the middle of a JSON value at byte offset 11"},
		{`{"a": 1} {"b": 2}`, "data after its JSON value, from byte offset 8"},
		{"", "empty, not JSON"},
		{"   \n", "empty, not JSON"},
		{"Unauthorized: invalid bearer token value", "byte offset 1"},
	}
	for _, tc := range cases {
		v, err := (&Response{Status: 200, Body: []byte(tc.body)}).JSON()
		if tc.wantErr == "" {
			if err != nil {
				t.Errorf("%q: %v", tc.body, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("%q: error %v, want it to say %q (value %v)", tc.body, err, tc.wantErr, v)
		}
	}
	v, err := (&Response{Body: []byte(`{"n": 12345678901234567890}`)}).JSON()
	if err != nil {
		t.Fatal(err)
	}
	if n, ok := v.(map[string]any)["n"].(json.Number); !ok || n.String() != "12345678901234567890" {
		t.Errorf("numbers must stay json.Number: %#v", v)
	}
	if _, err := (&Response{Err: errors.New("reset"), Body: []byte("{}")}).JSON(); err == nil || !strings.Contains(err.Error(), "reset") {
		t.Errorf("a failed response must not decode: %v", err)
	}
}

func TestDescribe(t *testing.T) {
	r := &Response{Label: "bills", Exchange: evidence.Exchange{
		Method: "POST", URL: "https://h/api/v2/bills", AuthShape: "valid", Status: 401,
		ResponseHeaders: map[string]string{"Content-Type": "text/plain"}, ResponseBody: strings.Repeat("u", 600),
		ResponseBytes: 600, Retries: 2,
	}}
	d := r.Describe()
	for _, want := range []string{"POST https://h/api/v2/bills [bills] (credential: valid) -> 401 Unauthorized", "Content-Type text/plain",
		"600 bytes", "after 2 retries", "body: " + strings.Repeat("u", describeBodyLen) + " ..."} {
		if !strings.Contains(d, want) {
			t.Errorf("Describe lacks %q:\n%s", want, d)
		}
	}
	if strings.Contains(d, strings.Repeat("u", describeBodyLen+1)) {
		t.Error("Describe quotes more than its excerpt")
	}
	none := (&Response{Exchange: evidence.Exchange{Method: "POST", URL: "https://h/x", AuthShape: "none", Error: "dial refused", Unavailable: true}}).Describe()
	for _, want := range []string{"-> no answer", "(target unavailable)", "error: dial refused"} {
		if !strings.Contains(none, want) {
			t.Errorf("Describe lacks %q: %s", want, none)
		}
	}
	if got := (&Response{}).Describe(); !strings.Contains(got, "- - (credential: -)") {
		t.Errorf("empty Describe: %s", got)
	}
}

func TestReadBody(t *testing.T) {
	res := &http.Response{Body: io.NopCloser(strings.NewReader("0123456789"))}
	b, cut, err := readBody(res, 10)
	if string(b) != "0123456789" || cut || err != nil {
		t.Errorf("exact limit: %q %v %v", b, cut, err)
	}
	res = &http.Response{Body: io.NopCloser(strings.NewReader("0123456789A"))}
	b, cut, err = readBody(res, 10)
	if string(b) != "0123456789" || !cut || !errors.Is(err, ErrBodyTooLarge) {
		t.Errorf("over the limit: %q %v %v", b, cut, err)
	}
}

func TestTruncatedExchangeReportsTheAnnouncedLength(t *testing.T) {
	c := New(liveConfigNoServer(t), testFixtures, nil)
	req, err := http.NewRequest(http.MethodPost, "https://h/api/v2/bills", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp := &Response{Status: 200, Header: http.Header{"Content-Length": {"5000"}}, Body: make([]byte, 100), Truncated: true}
	if e := c.capture(req, nil, &settings{auth: AuthValid}, resp, 0); e.ResponseBytes != 5000 {
		t.Errorf("ResponseBytes %d, want the announced 5000", e.ResponseBytes)
	}
	resp.Header = http.Header{}
	if e := c.capture(req, nil, &settings{auth: AuthValid}, resp, 0); e.ResponseBytes != 101 {
		t.Errorf("ResponseBytes %d, want at least one past the cut", e.ResponseBytes)
	}
}
