package client

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"github.com/winston-conformance/winston-conformance/harness/evidence"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/winston-conformance/winston-conformance/harness/config"
	"github.com/winston-conformance/winston-conformance/harness/redact"
)

// leaks lists the forms of the planted keys that must not appear.
func leaks(s string) []string {
	var found []string
	forms := []string{planted, planted2, url.QueryEscape(planted)}
	forms = append(forms, redact.Base64Forms(planted)...)
	for _, f := range forms {
		if strings.Contains(s, f) {
			found = append(found, f)
		}
	}
	return found
}

// echo sends back everything it received, in the body and a header, as a
// careless server would.
func echo(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	w.Header().Set("X-Echo-Auth", r.Header.Get("Authorization"))
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(http.StatusUnauthorized)
	_, _ = io.WriteString(w, "Unauthorized: "+r.Header.Get("Authorization")+" query "+r.URL.RawQuery+" body "+string(body))
}

func TestThePlantedKeyNeverLeavesTheClient(t *testing.T) {
	tg := newTLSTarget(t, echo)
	c := liveClient(t, tg.Server, nil)
	ctx := context.Background()
	var resps []*Response
	for _, a := range Variants() {
		resps = append(resps, c.Post(ctx, "/api/v2/bills", map[string]any{"note": planted}, WithAuth(a)))
	}
	resps = append(resps,
		c.Post(ctx, "/api/v2/bills", nil, WithRawBody([]byte(`{"key":"`+planted+`"}`))),
		c.Post(ctx, "/api/v2/bills", nil, WithQuery(url.Values{"k": {planted}})),
		c.Post(ctx, "/api/v2/bills/"+planted, nil),
	)
	// Transport errors carry the URL, with the key in its query.
	dead := newTLSTarget(t, ok)
	cd := liveClient(t, dead.Server, nil)
	dead.Close()
	resps = append(resps, cd.Post(ctx, "/api/v2/bills", nil, WithAuth(AuthV1Query)))
	// A refusal names the credential and the URL.
	cp := liveClient(t, tg.Server, map[string]string{config.EnvHTTPURL: "http://127.0.0.1:9"})
	resps = append(resps, cp.Post(ctx, "/api/v2/bills", nil, WithPlainHTTP(), WithAuth(AuthV1Query)))

	for i, r := range resps {
		if r.Err == nil && !strings.Contains(string(r.Body), "Unauthorized") {
			t.Fatalf("request %d did not reach the echo server", i)
		}
		raw, err := json.Marshal(r.Exchange)
		if err != nil {
			t.Fatal(err)
		}
		for where, s := range map[string]string{"exchange": string(raw), "Describe": r.Describe(), "error": errString(r.Err)} {
			if l := leaks(s); len(l) > 0 {
				t.Errorf("request %d (%s): %s leaks %v:\n%s", i, r.Exchange.AuthShape, where, l, s)
			}
		}
	}
	for _, c := range []*Client{c, cd, cp} {
		raw, err := json.Marshal(c.Exchanges())
		if err != nil {
			t.Fatal(err)
		}
		if l := leaks(string(raw)); len(l) > 0 {
			t.Errorf("Exchanges() leaks %v", l)
		}
	}
	valid := resps[0].Exchange
	if valid.RequestHeaders["Authorization"] != "Token api_test@"+config.KeyPlaceholder {
		t.Errorf("the valid credential is not shown by its placeholder: %q", valid.RequestHeaders["Authorization"])
	}
	basic := base64.StdEncoding.EncodeToString([]byte("api_test:" + planted))
	if strings.Contains(resps[8].Exchange.RequestHeaders["Authorization"], basic) {
		t.Error("the Basic credential is shown")
	}
}

func TestExcerptRedactsBeforeCutting(t *testing.T) {
	_ = liveConfigNoServer(t)
	// The key straddles the excerpt's end: cutting first would leave a
	// prefix the redactor cannot recognise.
	body := strings.Repeat("x", ExcerptLen-5) + planted + strings.Repeat("y", 100)
	got := redactedExcerpt([]byte(body))
	if len(got) > ExcerptLen+len(evidence.CutMark) || !strings.HasSuffix(got, evidence.CutMark) {
		t.Errorf("excerpt is %d bytes, ending %q: want at most %d and the cut marked", len(got), got[max(len(got)-12, 0):], ExcerptLen)
	}
	got = strings.TrimSuffix(got, evidence.CutMark)
	if strings.Contains(got, "PLANT") {
		t.Errorf("a prefix of the key survived: %q", got[len(got)-20:])
	}
}

func liveConfigNoServer(t *testing.T) *config.Config {
	t.Helper()
	cfg, err := config.LoadFrom(config.MapLookup(map[string]string{
		config.EnvMode: "live", config.EnvBaseURL: "https://127.0.0.1", config.EnvAPIKey: planted,
	}))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
