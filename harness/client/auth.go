package client

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/winston-conformance/winston-conformance/harness/config"
)

// Auth names the credential a request carries. Each variant is a shape the
// auth checks send; the cassette matcher compares the redacted header, so
// each variant replays its own answer. The valid form depends on the
// configured scheme: "Token <app>@<key>" (token) or "Bearer <key>" (bearer).
type Auth string

// The credential variants.
const (
	// AuthValid sends the configured key in the configured scheme.
	AuthValid Auth = "valid"
	// AuthNone sends no Authorization header.
	AuthNone Auth = "none"
	// AuthWrongKey sends the catalogue's wrongKey fixture (a key no tenant
	// owns) in the configured scheme. It is a fixture, not a secret.
	AuthWrongKey Auth = "wrong-key"
	// AuthNearKey sends the configured key with its last letter or digit
	// replaced by a letter (config.NearKey) in the configured scheme: a server that
	// compares only a prefix of the key, or looks it up by an id and
	// never checks the rest, takes it for the key. It is redacted as
	// <WINSTON_API_KEY:altered>.
	AuthNearKey Auth = "near-key"
	// AuthWrongApp sends "Token <wrongApp fixture>@<key>". Under the
	// bearer scheme there is no app name to get wrong, so the Token form
	// is sent all the same.
	AuthWrongApp Auth = "wrong-app"
	// AuthNoAt sends "Token <app><key>": no @ between app and key.
	AuthNoAt Auth = "malformed-no-at"
	// AuthEmptyApp sends "Token @<key>".
	AuthEmptyApp Auth = "malformed-empty-app"
	// AuthEmptyKey sends "Token <app>@".
	AuthEmptyKey Auth = "malformed-empty-key"
	// AuthOtherScheme sends the key under the scheme that is not
	// configured: "Bearer <key>" when the scheme is token, "Token
	// <app>@<key>" when it is bearer.
	AuthOtherScheme Auth = "other-scheme"
	// AuthBasic sends "Basic base64(<app>:<key>)".
	AuthBasic Auth = "basic"
	// AuthSecondTenant sends the second tenant's key (WINSTON_API_KEY_2)
	// in the configured scheme.
	AuthSecondTenant Auth = "second-tenant"
	// AuthV1Query sends no header and the v1 query parameters
	// ?api_key=<key>&app_name=<app>.
	AuthV1Query Auth = "v1-query"
)

// Variants lists every Auth value, for tables and validation.
func Variants() []Auth {
	return []Auth{AuthValid, AuthNone, AuthWrongKey, AuthNearKey, AuthWrongApp, AuthNoAt, AuthEmptyApp, AuthEmptyKey,
		AuthOtherScheme, AuthBasic, AuthSecondTenant, AuthV1Query}
}

// ErrNoSecondKey is returned (in Response.Err, nothing sent) for
// AuthSecondTenant when WINSTON_API_KEY_2 is unset.
var ErrNoSecondKey = errors.New("the second-tenant credential needs WINSTON_API_KEY_2: set it to a key of another tenant")

// credential is what one variant puts on the request.
type credential struct {
	header string     // Authorization value, "" for none
	query  url.Values // extra query parameters, nil for none
}

// credentialFor builds the header (or query) of variant a.
func (c *Client) credentialFor(a Auth) (credential, error) {
	cfg := c.cfg
	app, key := cfg.AppName, cfg.APIKey()
	valid := func(k string) string {
		if cfg.AuthScheme == config.SchemeBearer {
			return "Bearer " + k
		}
		return "Token " + app + "@" + k
	}
	switch a {
	case AuthValid:
		return credential{header: valid(key)}, nil
	case AuthNone:
		return credential{}, nil
	case AuthWrongKey:
		if c.fixtures.WrongKey == "" {
			return credential{}, errors.New("the wrong-key credential needs fixtures.wrongKey in the catalogue")
		}
		return credential{header: valid(c.fixtures.WrongKey)}, nil
	case AuthNearKey:
		return credential{header: valid(cfg.NearKey())}, nil
	case AuthWrongApp:
		if c.fixtures.WrongApp == "" {
			return credential{}, errors.New("the wrong-app credential needs fixtures.wrongApp in the catalogue")
		}
		return credential{header: "Token " + c.fixtures.WrongApp + "@" + key}, nil
	case AuthNoAt:
		return credential{header: "Token " + app + key}, nil
	case AuthEmptyApp:
		return credential{header: "Token @" + key}, nil
	case AuthEmptyKey:
		return credential{header: "Token " + app + "@"}, nil
	case AuthOtherScheme:
		if cfg.AuthScheme == config.SchemeBearer {
			return credential{header: "Token " + app + "@" + key}, nil
		}
		return credential{header: "Bearer " + key}, nil
	case AuthBasic:
		return credential{header: "Basic " + base64.StdEncoding.EncodeToString([]byte(app+":"+key))}, nil
	case AuthSecondTenant:
		if !cfg.HasSecondKey() {
			return credential{}, ErrNoSecondKey
		}
		return credential{header: valid(cfg.APIKey2())}, nil
	case AuthV1Query:
		return credential{query: url.Values{"api_key": {key}, "app_name": {app}}}, nil
	}
	names := make([]string, 0, len(Variants()))
	for _, v := range Variants() {
		names = append(names, string(v))
	}
	return credential{}, fmt.Errorf("unknown credential variant %q: use one of %s", a, strings.Join(names, ", "))
}

// authFallback hides an Authorization value that still holds a key after
// redaction (a key the redactor does not know), leaving only its shape.
func (c *Client) authFallback(value string, a Auth) string {
	for _, k := range []string{c.cfg.APIKey(), c.cfg.APIKey2(), c.cfg.NearKey()} {
		if k != "" && strings.Contains(value, k) {
			return "<" + string(a) + " credential>"
		}
	}
	return value
}
