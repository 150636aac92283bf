package client

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/winston-conformance/winston-conformance/harness/config"
)

// TestClientRefusesCredentialsOverHTTP checks the first layer: the client
// never builds a plain-http request with a credential.
func TestClientRefusesCredentialsOverHTTP(t *testing.T) {
	plain := newPlainTarget(t, ok)
	tg := newTLSTarget(t, ok)
	c := liveClient(t, tg.Server, map[string]string{config.EnvHTTPURL: plain.URL})
	cases := []struct {
		name string
		opts []Option
	}{
		{"default valid credential", nil},
		{"wrong key", []Option{WithAuth(AuthWrongKey)}},
		{"v1 query", []Option{WithAuth(AuthV1Query)}},
		{"api_key by hand", []Option{WithAuth(AuthNone), WithQuery(url.Values{"api_key": {planted}})}},
	}
	for _, tc := range cases {
		resp := c.Post(context.Background(), "/api/v2/bills", map[string]any{}, append([]Option{WithPlainHTTP()}, tc.opts...)...)
		if !errors.Is(resp.Err, ErrCredentialsOverHTTP) || resp.Status != 0 || resp.Unavailable() {
			t.Errorf("%s: err %v", tc.name, resp.Err)
		}
		if strings.Contains(resp.Err.Error(), planted) || strings.Contains(resp.Describe(), planted) {
			t.Errorf("%s: the refusal shows the key: %v", tc.name, resp.Err)
		}
	}
	if n := plain.hits.Load(); n != 0 {
		t.Errorf("%d requests reached the plain-http server", n)
	}
	for _, e := range c.Exchanges() {
		if !strings.HasPrefix(e.Error, "not sent: ") {
			t.Errorf("refusal not recorded as not sent: %+v", e)
		}
	}
}

// TestTransportRefusesCredentialsOverHTTP checks the last layer, for a
// request built by hand (as a cassette recorder or a future caller might).
func TestTransportRefusesCredentialsOverHTTP(t *testing.T) {
	plain := newPlainTarget(t, ok)
	tg := newTLSTarget(t, ok)
	rt, err := NetworkTransport(liveConfig(t, tg.Server, nil))
	if err != nil {
		t.Fatal(err)
	}
	withHeader := func(h, v string) *http.Request {
		req, err := http.NewRequest(http.MethodPost, plain.URL+"/api/v2/bills", strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set(h, v)
		return req
	}
	query, err := http.NewRequest(http.MethodPost, plain.URL+"/api/v2/bills?api_key="+planted, nil)
	if err != nil {
		t.Fatal(err)
	}
	userinfo, err := http.NewRequest(http.MethodPost, strings.Replace(plain.URL, "http://", "http://u:"+planted+"@", 1), nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, req := range map[string]*http.Request{
		"Authorization":       withHeader("Authorization", "Token api_test@"+planted),
		"api_key":             query,
		"userinfo":            userinfo,
		"Proxy-Authorization": withHeader("Proxy-Authorization", "Basic eDp5"),
	} {
		resp, err := rt.RoundTrip(req)
		if resp != nil {
			_ = resp.Body.Close()
		}
		if !errors.Is(err, ErrCredentialsOverHTTP) {
			t.Errorf("%s: the transport sent it (err %v)", name, err)
		} else if strings.Contains(err.Error(), planted) {
			t.Errorf("%s: the error shows the key: %v", name, err)
		}
	}
	if n := plain.hits.Load(); n != 0 {
		t.Errorf("%d requests reached the plain-http server", n)
	}
	clean, err := http.NewRequest(http.MethodPost, plain.URL+"/api/v2/bills", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := rt.RoundTrip(clean)
	if err != nil {
		t.Fatalf("a request without credentials must pass: %v", err)
	}
	_ = resp.Body.Close()
	if plain.hits.Load() != 1 {
		t.Error("the clean request did not arrive")
	}
}

func TestNetworkTransportConfigurationErrors(t *testing.T) {
	if _, err := NetworkTransport(nil); err == nil {
		t.Error("nil config accepted")
	}
	tg := newTLSTarget(t, ok)
	cfg := liveConfig(t, tg.Server, nil)
	cfg.CAFile = cfg.CAFile + ".gone"
	if _, err := NetworkTransport(cfg); err == nil || !strings.Contains(err.Error(), "WINSTON_CA_FILE") {
		t.Errorf("unreadable CA file: %v", err)
	}
}

// A key travels in clear text whatever carries it: a header of another
// name, a query parameter of another name, the body. Both layers refuse
// a plain-http request holding a registered secret anywhere.
func TestAKeyAnywhereInARequestIsRefusedOverHTTP(t *testing.T) {
	plain := newPlainTarget(t, ok)
	tg := newTLSTarget(t, ok)
	c := liveClient(t, tg.Server, map[string]string{config.EnvHTTPURL: plain.URL})
	for name, opts := range map[string][]Option{
		"query of another name": {WithQuery(url.Values{"token": {planted}})},
		"raw body":              {WithRawBody([]byte(`{"key":"` + planted + `"}`))},
	} {
		resp := c.Post(context.Background(), "/api/v2/bills", nil, append([]Option{WithPlainHTTP(), WithAuth(AuthNone)}, opts...)...)
		if !errors.Is(resp.Err, ErrCredentialsOverHTTP) {
			t.Errorf("client, %s: sent over http (err %v)", name, resp.Err)
		}
	}
	rt, err := NetworkTransport(liveConfig(t, tg.Server, nil))
	if err != nil {
		t.Fatal(err)
	}
	header, _ := http.NewRequest(http.MethodPost, plain.URL+"/api/v2/bills", nil)
	header.Header.Set("X-Api-Key", planted)
	query, _ := http.NewRequest(http.MethodPost, plain.URL+"/api/v2/bills?token="+planted, nil)
	body, _ := http.NewRequest(http.MethodPost, plain.URL+"/api/v2/bills", strings.NewReader(`{"key":"`+planted+`"}`))
	for name, req := range map[string]*http.Request{"header": header, "query": query, "body": body} {
		resp, err := rt.RoundTrip(req)
		if resp != nil {
			_ = resp.Body.Close()
		}
		if !errors.Is(err, ErrCredentialsOverHTTP) {
			t.Errorf("transport, %s: sent over http (err %v)", name, err)
		}
	}
	if n := plain.hits.Load(); n != 0 {
		t.Errorf("%d requests holding the key reached the plain-http server", n)
	}
}
