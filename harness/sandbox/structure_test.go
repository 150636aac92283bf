package sandbox

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestChecksApplyInTheDocumentedOrder(t *testing.T) {
	h := newHarness(t, Options{})
	cases := []struct {
		name   string
		c      call
		status int
	}{
		{"a path outside /api/v2/ gets 404 before the method check", call{method: http.MethodGet, path: "/api/v1/bills", auth: "-"}, 404},
		{"the bare prefix without slash is outside the API", call{path: "/api/v2", auth: "-"}, 404},
		{"another method gets 405 before auth", call{method: http.MethodPut, path: "/api/v2/bills", auth: "-"}, 405},
		{"a method on an unknown route still gets 405", call{method: http.MethodPatch, path: "/api/v2/nope"}, 405},
		{"auth comes before the route", call{path: "/api/v2/nope", auth: "-"}, 401},
		{"an unknown route gets 404 before the content type", call{path: "/api/v2/nope", ct: "text/plain"}, 404},
		{"a trailing slash is another route", call{path: "/api/v2/bills/"}, 404},
		{"the content type comes before the body", call{path: "/api/v2/bills", ct: "text/plain", body: "{"}, 415},
		{"a missing content type gets 415", call{path: "/api/v2/bills", ct: "-"}, 415},
		{"a form content type gets 415", call{path: "/api/v2/bills", ct: "application/x-www-form-urlencoded"}, 415},
		{"a garbled content type gets 415", call{path: "/api/v2/bills", ct: "application/json; ;;="}, 415},
		{"a charset parameter is fine", call{path: "/api/v2/bills", ct: "application/json; charset=utf-8"}, 200},
		{"malformed JSON gets 400", call{path: "/api/v2/bills", body: `{"limit":`}, 400},
		{"an empty body gets 400", call{path: "/api/v2/bills", noBody: true}, 400},
		{"a JSON array body gets 400", call{path: "/api/v2/bills", body: `[]`}, 400},
		{"a JSON null body gets 400", call{path: "/api/v2/bills", body: `null`}, 400},
		{"a JSON string body gets 400", call{path: "/api/v2/bills", body: `"x"`}, 400},
		{"invalid UTF-8 gets 400", call{path: "/api/v2/bills", body: "{\"a\":\"\xff\xfe\"}"}, 400},
		{"trailing garbage gets 400", call{path: "/api/v2/bills", body: `{} {}`}, 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := h.do(tc.c)
			expectStatus(t, r, tc.status)
			if tc.status == http.StatusMethodNotAllowed && r.header.Get("Allow") != http.MethodPost {
				t.Errorf("405 without Allow: POST (got %q)", r.header.Get("Allow"))
			}
			if tc.status >= 400 && tc.status != 401 {
				if e := errorOf(t, r); e.Error != http.StatusText(tc.status) || e.Message == "" {
					t.Errorf("error body %+v: want error %q and a message", e, http.StatusText(tc.status))
				}
			}
		})
	}
}

func TestEveryOtherMethodGets405WithAllowPost(t *testing.T) {
	h := newHarness(t, Options{})
	for _, m := range []string{http.MethodGet, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions, http.MethodHead} {
		r := h.do(call{method: m, path: "/api/v2/list/products", noBody: true})
		expectStatus(t, r, http.StatusMethodNotAllowed)
		if r.header.Get("Allow") != http.MethodPost {
			t.Errorf("%s: Allow = %q", m, r.header.Get("Allow"))
		}
	}
}

func TestSuccessIsApplicationJSON(t *testing.T) {
	h := newHarness(t, Options{})
	for _, p := range Routes() {
		body := "{}"
		if strings.HasSuffix(p, "/order") {
			body = `{"number":"noTable","paid":true}`
		}
		if strings.HasSuffix(p, "/list/bills") {
			body = `{"businessDay":"2026-11-20"}`
		}
		r := h.post(p, body)
		expectStatus(t, r, http.StatusOK)
		if ct := r.header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s: Content-Type %q", p, ct)
		}
		if bytes.HasPrefix(r.body, []byte(`{"status"`)) {
			t.Errorf("%s: v1 wrapper in %s", p, r.body)
		}
	}
}

func TestHostileBodiesGet4xxQuickly(t *testing.T) {
	h := newHarness(t, Options{})
	deep := strings.Repeat("[", 100000) + strings.Repeat("]", 100000)
	cases := []struct {
		name   string
		body   string
		status int
	}{
		{"a body over 1 MiB", `{"x":"` + strings.Repeat("a", MaxBodyBytes) + `"}`, 413},
		{"nesting deeper than 64", `{"a":` + deep + `}`, 400},
		{"nesting at 64 is fine but not an allowed field", `{"a":` + strings.Repeat("[", 63) + strings.Repeat("]", 63) + `}`, 400},
		{"brackets inside strings do not count", `{"sort":{"createdAt":1},"limit":5,"x":"` + strings.Repeat("[", 200) + `"}`, 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			r := h.post("/api/v2/bills", tc.body)
			expectStatus(t, r, tc.status)
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
	if e := errorOf(t, h.post("/api/v2/bills", `{"a":`+deep+`}`)); !strings.Contains(e.Message, "64") {
		t.Errorf("depth error %q should say the limit", e.Message)
	}
	// The only flaw of this order is the byte 0xff: without the UTF-8
	// check it would be a 404 for an unknown plan.
	bad := h.post("/api/v2/tables/order", "{\"number\":\"noTable\",\"paid\":true,\"plan_id\":\"plan-main\xff\"}")
	if e := errorOf(t, bad); bad.status != 400 || !strings.Contains(e.Message, "UTF-8") {
		t.Errorf("invalid UTF-8: %d %+v, want 400 saying UTF-8", bad.status, e)
	}
	if e := errorOf(t, h.post("/api/v2/bills", `{"x":"`+strings.Repeat("[", 200)+`"}`)); e.Field != "x" {
		t.Errorf("a string of brackets was taken for nesting: %+v", e)
	}
}

// A body larger than the limit, streamed without Content-Length, is cut
// at the limit rather than read to the end.
func TestStreamedHugeBodyGets413(t *testing.T) {
	h := newHarness(t, Options{})
	pr, pw := io.Pipe()
	go func() {
		chunk := bytes.Repeat([]byte(" "), 64<<10)
		_, _ = pw.Write([]byte("{"))
		for i := 0; i < 64; i++ { // 4 MiB in all
			if _, err := pw.Write(chunk); err != nil {
				return
			}
		}
		_ = pw.CloseWithError(io.EOF)
	}()
	req, _ := http.NewRequest(http.MethodPost, h.s.HTTPSURL()+"/api/v2/bills", pr)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", validToken(DefaultKey))
	resp, err := h.c.Do(req)
	if err != nil {
		t.Fatalf("streamed body: %v", err)
	}
	resp.Body.Close()
	_ = pr.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("streamed 4 MiB body: %d, want 413", resp.StatusCode)
	}
}

func TestClientErrorsNeverGet5xx(t *testing.T) {
	h := newHarness(t, Options{})
	bodies := []string{
		`{"limit":"5"}`, `{"limit":5.5}`, `{"limit":1e2}`, `{"limit":-1}`, `{"limit":0}`, `{"limit":1001}`,
		`{"limit":99999999999999999999999}`, `{"skip":-1}`, `{"skip":"x"}`, `{"sort":[]}`, `{"sort":"createdAt"}`,
		`{"sort":{"createdAt":2}}`, `{"sort":{"createdAt":"1"}}`, `{"sort":{"createdAt":{"a":1}}}`, `{"sort":null}`,
		`{"businessDay":20261120}`, `{"businessDay":"2026-13-45"}`, `{"modifiedSince":"yesterday"}`,
		`{"modifiedAt":[]}`, `{"modifiedAt":{"from":1}}`, `{"modifiedAt":{"from":"2026-11-20T00:00:00Z"}}`,
		`{"number":null}`, `{"number":[1]}`, `{"paid":"yes"}`, `{"plan_id":7}`, `{"products":{}}`,
		`{"\u0000":1}`, `{"` + strings.Repeat("k", 5000) + `":1}`,
	}
	for _, p := range Routes() {
		for _, b := range bodies {
			r := h.post(p, b)
			if r.err != nil || r.status < 400 || r.status >= 500 {
				t.Errorf("%s %s: %d %s (err %v)", p, b, r.status, r.body, r.err)
			}
			if len(r.body) > 2048 {
				t.Errorf("%s %s: error body of %d bytes: the field name must be clipped", p, b, len(r.body))
			}
		}
	}
}

// A body announced larger than the limit is refused from its headers,
// without waiting for bytes that may never come.
func TestAnnouncedHugeBodyIsRefusedWithoutReadingIt(t *testing.T) {
	h := newHarness(t, Options{})
	conn, err := tls.Dial("tcp", strings.TrimPrefix(h.s.HTTPSURL(), "https://"),
		&tls.Config{RootCAs: h.s.CertPool(), ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(3 * time.Second))
	req := "POST /api/v2/bills HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
		"Authorization: " + validToken(DefaultKey) + "\r\nContent-Length: 10485760\r\n\r\n{\"limit\":"
	if _, err := conn.Write([]byte(req)); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer within 3s to a 10 MiB announced body: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("status %d, want 413", resp.StatusCode)
	}
}
