package sandbox

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestAuthFailuresGet401WithAnExplanationAndNoKey(t *testing.T) {
	h := newHarness(t, Options{})
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(DefaultApp+":"+DefaultKey))
	cases := []struct {
		name, auth, query, want string
	}{
		{"a missing header", "-", "", msgMissing},
		{"a wrong key", validToken("wrong-key-fixture-00000000000000"), "", msgInvalidKey},
		{"a wrong app name", "Token not_an_app@" + DefaultKey, "", msgInvalidApp},
		{"a token without @", "Token " + DefaultApp + DefaultKey, "", msgMalformed},
		{"a token with an empty app", "Token @" + DefaultKey, "", msgMalformed},
		{"a token with an empty key", "Token " + DefaultApp + "@", "", msgMalformed},
		{"the Token scheme alone", "Token", "", msgMalformed},
		{"a Bearer key", "Bearer " + DefaultKey, "", msgScheme},
		{"a Basic credential", basic, "", msgScheme},
		{"the bare key", DefaultKey, "", msgScheme},
		{"v1 query parameters", "-", "api_key=" + DefaultKey + "&app_name=" + DefaultApp, msgV1Query},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := h.do(call{path: "/api/v2/bills", auth: tc.auth, query: tc.query})
			expectStatus(t, r, http.StatusUnauthorized)
			body := string(r.body)
			if !strings.HasPrefix(body, tc.want) {
				t.Errorf("body %q, want it to start with %q", body, tc.want)
			}
			if strings.Contains(body, DefaultKey) || strings.Contains(body, base64.StdEncoding.EncodeToString([]byte(DefaultApp+":"+DefaultKey))) {
				t.Errorf("401 body echoes the key: %q", body)
			}
			if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
				t.Errorf("Content-Type %q, want text/plain", ct)
			}
		})
	}
}

func TestTwoAuthorizationHeadersAreRefused(t *testing.T) {
	h := newHarness(t, Options{})
	req, _ := http.NewRequest(http.MethodPost, h.s.HTTPSURL()+"/api/v2/bills", strings.NewReader("{}"))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Add("Authorization", validToken(DefaultKey))
	req.Header.Add("Authorization", validToken(DefaultKey2))
	resp, err := h.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("two headers: %d, want 401", resp.StatusCode)
	}
}

func TestValidTokenWorksForBothTenantsAndTheSchemeIsCaseInsensitive(t *testing.T) {
	h := newHarness(t, Options{})
	for _, auth := range []string{validToken(DefaultKey), validToken(DefaultKey2), "token " + DefaultApp + "@" + DefaultKey} {
		expectStatus(t, h.do(call{path: "/api/v2/list/categories", auth: auth}), http.StatusOK)
	}
}

func TestTenantsHaveSeparateData(t *testing.T) {
	h := newHarness(t, Options{})
	for _, path := range []string{"/api/v2/bills", "/api/v2/list/categories", "/api/v2/list/products", "/api/v2/tables", "/api/v2/list/revenueGroups"} {
		one := h.list(path, `{"limit":1000}`)
		r := h.do(call{path: path, body: `{"limit":1000}`, auth: validToken(DefaultKey2)})
		expectStatus(t, r, http.StatusOK)
		seen := map[string]bool{}
		for _, id := range ids(one) {
			seen[id] = true
		}
		var two []map[string]any
		if err := json.Unmarshal(r.body, &two); err != nil {
			t.Fatal(err)
		}
		if len(two) == 0 || len(one) == 0 {
			t.Fatalf("%s: empty list (%d, %d)", path, len(one), len(two))
		}
		for _, id := range ids(two) {
			if seen[id] {
				t.Errorf("%s: id %s is in both tenants' data", path, id)
			}
		}
	}
}

func TestCustomAppAndKeys(t *testing.T) {
	h := newHarness(t, Options{App: "my_app", Key: "custom-key-one-123", Key2: "custom-key-two-456"})
	expectStatus(t, h.do(call{path: "/api/v2/tables", auth: "Token my_app@custom-key-one-123"}), http.StatusOK)
	expectStatus(t, h.do(call{path: "/api/v2/tables", auth: "Token my_app@custom-key-two-456"}), http.StatusOK)
	expectStatus(t, h.do(call{path: "/api/v2/tables", auth: validToken(DefaultKey)}), http.StatusUnauthorized)
	expectStatus(t, h.do(call{path: "/api/v2/tables", auth: "Token api_test@custom-key-one-123"}), http.StatusUnauthorized)
}

func TestBearerSchemeIsExclusive(t *testing.T) {
	h := newHarness(t, Options{AuthScheme: SchemeBearer})
	expectStatus(t, h.do(call{path: "/api/v2/bills", auth: "Bearer " + DefaultKey}), http.StatusOK)
	expectStatus(t, h.do(call{path: "/api/v2/bills", auth: "Bearer " + DefaultKey2}), http.StatusOK)
	cases := map[string]string{
		"a Token header":     validToken(DefaultKey),
		"a wrong bearer key": "Bearer wrong-key-fixture-00000000000000",
		"an empty bearer":    "Bearer",
		"app@key as bearer":  "Bearer " + DefaultApp + "@" + DefaultKey,
	}
	for name, auth := range cases {
		r := h.do(call{path: "/api/v2/bills", auth: auth})
		if r.status != http.StatusUnauthorized || strings.Contains(string(r.body), DefaultKey) {
			t.Errorf("%s: %d %q, want 401 without the key", name, r.status, r.body)
		}
	}
	r := h.do(call{path: "/api/v2/bills", auth: "Bearer nope-nope-nope"})
	if !strings.HasPrefix(string(r.body), msgInvalidBearer) {
		t.Errorf("wrong bearer key: %q, want %q (the introduction's example)", r.body, msgInvalidBearer)
	}
	if r := h.do(call{path: "/api/v2/bills", auth: "-"}); !strings.Contains(string(r.body), "Bearer <api key>") {
		t.Errorf("missing header in bearer mode: %q should tell to send Bearer", r.body)
	}
}

// fakeClock is a settable clock for the limiter.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestLimiterTokenBucket(t *testing.T) {
	if ok, _ := newLimiter(0).allow("k"); !ok {
		t.Fatal("rate 0 must mean no limit")
	}
	clock := &fakeClock{t: time.Unix(0, 0)}
	l := newLimiter(2)
	l.now = clock.now
	for i := 0; i < 2; i++ {
		if ok, _ := l.allow("a"); !ok {
			t.Fatalf("request %d within the burst refused", i)
		}
	}
	ok, retry := l.allow("a")
	if ok || retry != 1 {
		t.Fatalf("third request: ok=%v retry=%d, want refused with retry 1", ok, retry)
	}
	if ok, _ := l.allow("b"); !ok {
		t.Fatal("another key shares the bucket")
	}
	clock.add(500 * time.Millisecond)
	if ok, _ := l.allow("a"); !ok {
		t.Fatal("a token did not come back after 1/rate seconds")
	}
	slow := newLimiter(0.25)
	slow.now = clock.now
	slow.allow("a")
	if _, retry := slow.allow("a"); retry != 4 {
		t.Errorf("rate 0.25: retry %d, want 4", retry)
	}
}

func TestRateLimitAnswers429WithRetryAfterPerKey(t *testing.T) {
	h := newHarness(t, Options{RateLimit: 2})
	clock := &fakeClock{t: time.Unix(0, 0)}
	h.s.limiter.now = clock.now
	for i := 0; i < 2; i++ {
		expectStatus(t, h.post("/api/v2/tables", "{}"), http.StatusOK)
	}
	r := h.post("/api/v2/tables", "{}")
	expectStatus(t, r, http.StatusTooManyRequests)
	if r.header.Get("Retry-After") != "1" {
		t.Errorf("Retry-After = %q, want 1", r.header.Get("Retry-After"))
	}
	if e := errorOf(t, r); e.Error != "Too Many Requests" || e.Message == "" {
		t.Errorf("429 body %+v", e)
	}
	expectStatus(t, h.do(call{path: "/api/v2/tables", auth: validToken(DefaultKey2)}), http.StatusOK)
	// Auth comes first: a request without credentials is not counted.
	expectStatus(t, h.do(call{path: "/api/v2/tables", auth: "-"}), http.StatusUnauthorized)
	clock.add(time.Second)
	expectStatus(t, h.post("/api/v2/tables", "{}"), http.StatusOK)
}

func TestLatencyIsAdded(t *testing.T) {
	h := newHarness(t, Options{Latency: 150 * time.Millisecond})
	start := time.Now()
	expectStatus(t, h.post("/api/v2/tables", "{}"), http.StatusOK)
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Errorf("answer after %v, want at least the 150ms latency", d)
	}
}
