package client

import (
	"context"
	"encoding/base64"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/winston-conformance/winston-conformance/harness/config"
)

func TestEachCredentialVariantSendsItsExactHeader(t *testing.T) {
	tg := newTLSTarget(t, ok)
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("api_test:"+planted))
	cases := []struct {
		scheme string
		auth   Auth
		header string
		query  string
	}{
		{"token", AuthValid, "Token api_test@" + planted, ""},
		{"token", AuthNone, "", ""},
		{"token", AuthWrongKey, "Token api_test@wrong-key-fixture-00000000000000", ""},
		{"token", AuthNearKey, "Token api_test@PLANTED-client-key-12345Z", ""},
		{"token", AuthWrongApp, "Token not_an_app@" + planted, ""},
		{"token", AuthNoAt, "Token api_test" + planted, ""},
		{"token", AuthEmptyApp, "Token @" + planted, ""},
		{"token", AuthEmptyKey, "Token api_test@", ""},
		{"token", AuthOtherScheme, "Bearer " + planted, ""},
		{"token", AuthBasic, basic, ""},
		{"token", AuthSecondTenant, "Token api_test@" + planted2, ""},
		{"token", AuthV1Query, "", "api_key=" + url.QueryEscape(planted) + "&app_name=api_test"},
		{"bearer", AuthValid, "Bearer " + planted, ""},
		{"bearer", AuthOtherScheme, "Token api_test@" + planted, ""},
		{"bearer", AuthWrongKey, "Bearer wrong-key-fixture-00000000000000", ""},
		{"bearer", AuthNearKey, "Bearer PLANTED-client-key-12345Z", ""},
		{"bearer", AuthSecondTenant, "Bearer " + planted2, ""},
		{"bearer", AuthWrongApp, "Token not_an_app@" + planted, ""},
	}
	clients := map[string]*Client{
		"token":  liveClient(t, tg.Server, nil),
		"bearer": liveClient(t, tg.Server, map[string]string{config.EnvAuthScheme: "bearer"}),
	}
	for _, tc := range cases {
		resp := clients[tc.scheme].Post(context.Background(), "/api/v2/bills", map[string]any{"limit": 5}, WithAuth(tc.auth))
		if resp.Err != nil || resp.Status != 200 {
			t.Fatalf("%s/%s: %v", tc.scheme, tc.auth, resp.Err)
		}
		got := tg.lastSeen()
		if h := got.Header.Get("Authorization"); h != tc.header {
			t.Errorf("%s/%s: Authorization %q, want %q", tc.scheme, tc.auth, h, tc.header)
		}
		if _, present := got.Header["Authorization"]; present != (tc.header != "") {
			t.Errorf("%s/%s: header present = %v", tc.scheme, tc.auth, present)
		}
		if got.RawQuery != tc.query {
			t.Errorf("%s/%s: query %q, want %q", tc.scheme, tc.auth, got.RawQuery, tc.query)
		}
		if resp.Exchange.AuthShape != string(tc.auth) {
			t.Errorf("%s/%s: exchange shape %q", tc.scheme, tc.auth, resp.Exchange.AuthShape)
		}
	}
}

func TestCredentialsThatCannotBeBuiltAreNotSent(t *testing.T) {
	tg := newTLSTarget(t, ok)
	c := liveClient(t, tg.Server, map[string]string{config.EnvAPIKey2: ""})
	resp := c.Post(context.Background(), "/api/v2/bills", nil, WithAuth(AuthSecondTenant))
	if !errors.Is(resp.Err, ErrNoSecondKey) || resp.Status != 0 {
		t.Errorf("second tenant without a key: %v", resp.Err)
	}
	resp = c.Post(context.Background(), "/api/v2/bills", nil, WithAuth("made-up"))
	if resp.Err == nil || !strings.Contains(resp.Err.Error(), "unknown credential variant") || !strings.Contains(resp.Err.Error(), "v1-query") {
		t.Errorf("unknown variant: %v", resp.Err)
	}
	noFixtures := New(c.Config(), testFixtures, c.inner)
	noFixtures.fixtures.WrongKey, noFixtures.fixtures.WrongApp = "", ""
	for _, a := range []Auth{AuthWrongKey, AuthWrongApp} {
		if r := noFixtures.Post(context.Background(), "/api/v2/bills", nil, WithAuth(a)); r.Err == nil || !strings.Contains(r.Err.Error(), "fixtures.") {
			t.Errorf("%s without its fixture: %v", a, r.Err)
		}
	}
	if n := tg.hits.Load(); n != 0 {
		t.Errorf("%d requests reached the server", n)
	}
	ex := c.Exchanges()
	if len(ex) != 2 || !strings.HasPrefix(ex[0].Error, "not sent: ") {
		t.Errorf("refusals must be recorded as not sent: %+v", ex)
	}
}

func TestAuthFallbackHidesAnUnregisteredKey(t *testing.T) {
	tg := newTLSTarget(t, ok)
	c := liveClient(t, tg.Server, nil)
	if got := c.authFallback("Token api_test@"+planted, AuthValid); got != "<valid credential>" {
		t.Errorf("fallback = %q", got)
	}
	if got := c.authFallback("Token api_test@<WINSTON_API_KEY>", AuthValid); got != "Token api_test@<WINSTON_API_KEY>" {
		t.Errorf("a redacted value must stay: %q", got)
	}
	if got := c.authFallback("Token api_test@PLANTED-client-key-12345Z", AuthNearKey); got != "<near-key credential>" {
		t.Errorf("the near key must be hidden too: %q", got)
	}
	if len(Variants()) != 12 {
		t.Errorf("Variants lists %d", len(Variants()))
	}
}
