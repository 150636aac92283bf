package cassette

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	vcr "gopkg.in/dnaeon/go-vcr.v3/cassette"
)

func TestCanonicalBody(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"keys sorted, whitespace dropped", "{ \"sort\": {\"b\":1, \"a\": -1},\n \"limit\": 5 }", `{"limit":5,"sort":{"a":-1,"b":1}}`},
		{"number text kept", `{"n": 1.50, "m": 1e3}`, `{"m":1e3,"n":1.50}`},
		{"html not escaped", `{"q":"<a&b>"}`, `{"q":"<a&b>"}`},
		{"array order kept", `[3, 1, 2]`, `[3,1,2]`},
		{"trailing whitespace", "{}\n\n", `{}`},
		{"not JSON unchanged", "limit=5&sort=a", "limit=5&sort=a"},
		{"two values unchanged", `{} {}`, `{} {}`},
		{"trailing garbage unchanged", `{"a":1}]`, `{"a":1}]`},
		{"empty unchanged", "", ""},
		{"invalid UTF-8 unchanged", "{\"a\":\"\xff\"}", "{\"a\":\"\xff\"}"},
	}
	for _, c := range cases {
		if got := string(CanonicalBody([]byte(c.in))); got != c.want {
			t.Errorf("%s: CanonicalBody(%q) = %q, want %q", c.name, c.in, got, c.want)
		}
	}
}

func newReq(t *testing.T, method, url, auth string) *http.Request {
	t.Helper()
	r, err := http.NewRequestWithContext(context.Background(), method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		r.Header.Set("Authorization", auth)
	}
	return r
}

func TestMatchKeyIgnoresHostKeyValueAndFormatting(t *testing.T) {
	rec := keyRedactor(plantedKey, plantedKey2)
	rep := keyRedactor(standInKey, standInKey2)
	a := MatchKey(newReq(t, "POST", "https://api-qa.example:443/api/v2/bills?b=2&api_key="+plantedKey, "Token api_test@"+plantedKey), []byte(`{"limit":5,"sort":{"createdAt":1}}`), rec)
	b := MatchKey(newReq(t, "POST", "https://127.0.0.1:8443/api/v2/bills?api_key="+standInKey+"&b=2", "Token api_test@"+standInKey), []byte("{ \"sort\": {\"createdAt\": 1}, \"limit\": 5 }"), rep)
	if a != b {
		t.Errorf("keys differ:\n%s\n%s", a, b)
	}
	if strings.Contains(a, plantedKey) || !strings.Contains(a, "<WINSTON_API_KEY>") {
		t.Errorf("key not redacted: %s", a)
	}
}

func TestMatchKeySeparatesWhatMatters(t *testing.T) {
	red := keyRedactor(standInKey, standInKey2)
	base := func() (*http.Request, []byte) {
		return newReq(t, "POST", "https://h/api/v2/bills", "Token api_test@"+standInKey), []byte(`{"limit":5}`)
	}
	r0, b0 := base()
	k0 := MatchKey(r0, b0, red)
	variants := map[string]func() (*http.Request, []byte){
		"method": func() (*http.Request, []byte) { r, b := base(); r.Method = "PUT"; return r, b },
		"scheme": func() (*http.Request, []byte) { r, b := base(); r.URL.Scheme = "http"; return r, b },
		"path":   func() (*http.Request, []byte) { r, b := base(); r.URL.Path = "/api/v2/bill"; return r, b },
		"query":  func() (*http.Request, []byte) { r, b := base(); r.URL.RawQuery = "limit=5"; return r, b },
		"body":   func() (*http.Request, []byte) { r, _ := base(); return r, []byte(`{"limit":6}`) },
		"no auth": func() (*http.Request, []byte) {
			r, b := base()
			r.Header.Del("Authorization")
			return r, b
		},
		"empty auth": func() (*http.Request, []byte) {
			r, b := base()
			r.Header.Set("Authorization", "")
			return r, b
		},
		"second key": func() (*http.Request, []byte) {
			r, b := base()
			r.Header.Set("Authorization", "Token api_test@"+standInKey2)
			return r, b
		},
		"wrong key": func() (*http.Request, []byte) {
			r, b := base()
			r.Header.Set("Authorization", "Token api_test@"+wrongKey)
			return r, b
		},
	}
	seen := map[string]string{k0: "base"}
	for name, f := range variants {
		r, b := f()
		k := MatchKey(r, b, red)
		if prev, dup := seen[k]; dup {
			t.Errorf("%s gives the same key as %s: %s", name, prev, k)
		}
		seen[k] = name
	}
}

func TestBasicCredentialMatchesAcrossKeyLengths(t *testing.T) {
	// The recording key and the replay stand-in have lengths that put
	// different characters at the end of their base64 forms.
	long := plantedKey + "x"
	rec, rep := keyRedactor(long, plantedKey2), keyRedactor(standInKey, standInKey2)
	basic := func(k string) string {
		return "Basic " + base64.StdEncoding.EncodeToString([]byte("api_test:"+k))
	}
	captured := &vcr.Interaction{Request: vcr.Request{Method: "POST", URL: "https://h/x",
		Headers: http.Header{"Authorization": {basic(long)}}}}
	redactInteraction(captured, rec)
	stored := captured.Request.Headers.Get("Authorization")
	if strings.Contains(stored, long) || strings.Contains(stored, base64.StdEncoding.EncodeToString([]byte("api_test:" + long))[12:40]) {
		t.Fatalf("stored Basic header still holds the key: %s", stored)
	}
	s, err := storedShape(&captured.Request, rec)
	if err != nil {
		t.Fatal(err)
	}
	live := MatchKey(newReq(t, "POST", "https://other/x", basic(standInKey)), nil, rep)
	if s.Key() != live {
		t.Errorf("Basic variant does not match across keys:\nstored %s\nlive   %s", s.Key(), live)
	}
}

func TestRedactURLHandlesEncodedKey(t *testing.T) {
	red := keyRedactor("PLANTED+key/with=odd", plantedKey2)
	enc := "https://h/x?api_key=PLANTED%2Bkey%2Fwith%3Dodd&app_name=api_test"
	got := redactURL(enc, red)
	if strings.Contains(got, "PLANTED") {
		t.Errorf("percent-encoded key kept: %s", got)
	}
	if got := redactURL("https://h/x?app_name=api_test", red); got != "https://h/x?app_name=api_test" {
		t.Errorf("a URL without a key was rewritten: %s", got)
	}
}
