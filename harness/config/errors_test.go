package config

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func sprintf(format string, a ...any) string { return fmt.Sprintf(format, a...) }

// writeCA writes a self-signed CA certificate as PEM and returns its path.
func writeCA(t *testing.T, dir string) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "ca.pem")
	mustWrite(t, p, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
	return p
}

// fieldErrors unwraps Load's joined error.
func fieldErrors(err error) []*FieldError {
	var out []*FieldError
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			var fe *FieldError
			if errors.As(e, &fe) {
				out = append(out, fe)
			}
		}
	}
	return out
}

// requireField fails unless err holds a FieldError for variable whose
// message contains want.
func requireField(t *testing.T, err error, variable, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want one for %s (%s)", variable, want)
	}
	for _, fe := range fieldErrors(err) {
		if fe.Variable == variable && strings.Contains(fe.Error(), want) {
			if fe.Fix == "" || !strings.Contains(fe.Error(), "fix: ") {
				t.Errorf("%s error has no fix: %v", variable, fe)
			}
			return
		}
	}
	t.Errorf("no %s error saying %q in:\n%v", variable, want, err)
}

func TestEachVariableWrongInTurn(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "not.pem")
	mustWrite(t, notPEM, "hello")
	badYAML := filepath.Join(dir, "bad.yaml")
	mustWrite(t, badYAML, "- a list\n- not a mapping\n")
	cases := []struct {
		variable, value, want string
	}{
		{EnvMode, "bogus", "not a mode"},
		{EnvBaseURL, "http://api-qa.mrwinston.com", "HTTPS only"},
		{EnvBaseURL, "api-qa.mrwinston.com", "not an absolute URL"},
		{EnvBaseURL, "https://u:p@api-qa.mrwinston.com", "user credentials"},
		{EnvBaseURL, "https://api-qa.mrwinston.com/api/v2", "has the path"},
		{EnvBaseURL, "https://api-qa.mrwinston.com?x=1", "query"},
		{EnvBaseURL, "https://api-qa.mrwinston.com:99999", "invalid port"},
		{EnvHTTPURL, "https://api-qa.mrwinston.com", "not http://"},
		{EnvAppName, "api@test", "contains @"},
		{EnvAPIKey, "", "required in live mode"},
		{EnvAPIKey, "abc", "shorter than 6"},
		{EnvAPIKey, "PLANTED key 123456", "whitespace"},
		{EnvAPIKey2, planted, "same key"},
		{EnvAPIKey2, "k2", "shorter than 6"},
		{EnvAuthScheme, "basic", "not an auth scheme"},
		{EnvCAFile, filepath.Join(dir, "missing.pem"), "cannot be read"},
		{EnvCAFile, notPEM, "no PEM certificate"},
		{EnvAllowMutations, "maybe", "not a boolean"},
		{EnvTimeout, "1ms", "shorter than 100ms"},
		{EnvConfig, filepath.Join(dir, "missing.yaml"), "cannot be read"},
		{EnvConfig, badYAML, "not a YAML mapping"},
		{EnvCassetteCache, "false", "not off, on or a directory"},
		{EnvCassetteCache, "None", "not off, on or a directory"},
		{EnvCatalogue, filepath.Join(dir, "missing.yaml"), "cannot be read"},
		{EnvKnownIssues, filepath.Join(dir, "missing.yaml"), "cannot be read"},
		{EnvProfile, dir, "not a file"},
		{EnvHistoryDir, notPEM, "not a directory"},
		{EnvNow, "yesterday", "RFC 3339"},
		{EnvTimeout, "abc", "not a Go duration"},
		{EnvTimeout, "0s", "out of range"},
		{EnvMaxRPS, "fast", "not a number"},
		{EnvMaxRPS, "-1", "negative"},
		{EnvMaxRPS, "NaN", "not a number"},
		{EnvRetries, "two", "not a whole number"},
		{EnvRetries, "11", "out of range"},
		{EnvConcurrency, "0", "out of range"},
		{EnvMaxBody, "big", "not a size"},
		{EnvMaxBody, "0", "not positive"},
	}
	for _, tc := range cases {
		t.Run(tc.variable+"="+tc.value, func(t *testing.T) {
			vars := liveVars()
			vars[tc.variable] = tc.value
			c, err := LoadFrom(MapLookup(vars))
			requireField(t, err, tc.variable, tc.want)
			if n := len(fieldErrors(err)); n != 1 {
				t.Errorf("one wrong variable gave %d errors: %v", n, err)
			}
			if c == nil || c.BaseURL == nil || c.HTTPURL == nil {
				t.Fatalf("the partial config must be usable for the error report: %v", c)
			}
			if strings.Contains(err.Error(), planted) {
				t.Errorf("the key reached the error: %v", err)
			}
		})
	}
}

func TestRecordNeedsABaseURLAndAKey(t *testing.T) {
	_, err := LoadFrom(MapLookup(map[string]string{EnvMode: "RECORD"}))
	requireField(t, err, EnvBaseURL, "required in record mode")
	requireField(t, err, EnvAPIKey, "required in record mode")
}

func TestAllProblemsAtOnceAndValuesRedacted(t *testing.T) {
	vars := liveVars()
	vars[EnvBaseURL] = "http://h.example/" + planted
	vars[EnvTimeout] = "forever"
	vars[EnvRetries] = "-1"
	_, err := LoadFrom(MapLookup(vars))
	if n := len(fieldErrors(err)); n != 3 {
		t.Fatalf("want 3 problems reported together, got %d: %v", n, err)
	}
	if strings.Contains(err.Error(), planted) || !strings.Contains(err.Error(), KeyPlaceholder) {
		t.Errorf("the value was not redacted: %v", err)
	}
	fe := &FieldError{Variable: EnvTimeout, Source: "file f.yaml, key timeout", Value: "x", Problem: "is bad", Fix: "do y"}
	if got := fe.Error(); got != `WINSTON_TIMEOUT (from file f.yaml, key timeout)="x": is bad; fix: do y` {
		t.Errorf("FieldError format: %s", got)
	}
}

func TestParseBytes(t *testing.T) {
	for in, want := range map[string]int64{"10": 10, "1KiB": 1024, "16MiB": 16 << 20, "2 gib": 2 << 30, "3MB": 3 << 20, "7B": 7} {
		if got, err := parseBytes(in); err != nil || got != want {
			t.Errorf("parseBytes(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "MiB", "1.5MiB", "99999999999GiB"} {
		if _, err := parseBytes(in); err == nil {
			t.Errorf("parseBytes(%q) accepted", in)
		}
	}
}

// A key pasted with its quotes (WINSTON_API_KEY="'abc...'", or a .env
// line copied with its double quotes) or with a space or a line break in
// it is refused up front, with what to remove, instead of a 401 hint after
// the run. The key never appears in the error.
func TestAPastedKeyWithQuotesOrWhitespaceIsRefusedUpFront(t *testing.T) {
	cases := []struct{ name, key, want string }{
		{"single quotes", "'" + planted + "'", "starts and ends with a quote: remove the quotes"},
		{"double quotes", `"` + planted + `"`, "starts and ends with a quote: remove the quotes"},
		{"typographic quotes", "\u201c" + planted + "\u201d", "starts and ends with a quote: remove the quotes"},
		{"a leading quote", "'" + planted, "starts with a quote: remove it"},
		{"a trailing quote", planted + `"`, "ends with a quote: remove it"},
		{"a space inside", planted[:6] + " " + planted[6:], "whitespace inside: remove it"},
		{"a line break inside", planted[:6] + "\n" + planted[6:], "whitespace inside: remove it"},
		{"bytes that are not text", planted + "\xff", "not text (invalid UTF-8)"},
	}
	for _, tc := range cases {
		for _, variable := range []string{EnvAPIKey, EnvAPIKey2} {
			t.Run(variable+" "+tc.name, func(t *testing.T) {
				vars := liveVars()
				if variable == EnvAPIKey2 {
					vars[EnvAPIKey] = "Other-Tenant-Key-0123456789"
				}
				vars[variable] = tc.key
				_, err := LoadFrom(MapLookup(vars))
				requireField(t, err, variable, tc.want)
				if strings.Contains(err.Error(), planted) || strings.Contains(err.Error(), planted[6:]) {
					t.Errorf("the key reached the error: %v", err)
				}
			})
		}
	}
}
