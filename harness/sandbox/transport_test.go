package sandbox

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/winston-conformance/winston-conformance/harness/client"
)

// handshake dials the HTTPS listener with the given version range and
// verification against the sandbox CA.
func handshake(s *Server, serverName string, minV, maxV uint16) (*tls.ConnectionState, error) {
	return handshakeWith(s, serverName, minV, maxV, nil)
}

// handshakeWith is handshake offering the cipher suites given (nil: Go's
// defaults).
func handshakeWith(s *Server, serverName string, minV, maxV uint16, suites []uint16) (*tls.ConnectionState, error) {
	addr := strings.TrimPrefix(s.HTTPSURL(), "https://")
	d := &net.Dialer{Timeout: 3 * time.Second}
	conn, err := tls.DialWithDialer(d, "tcp", addr, &tls.Config{
		RootCAs: s.CertPool(), ServerName: serverName, MinVersion: minV, MaxVersion: maxV, CipherSuites: suites,
	})
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	st := conn.ConnectionState()
	return &st, nil
}

func TestTLSIsVerifiedFor127LocalhostAndIPv6(t *testing.T) {
	h := newHarness(t, Options{})
	for _, name := range []string{"127.0.0.1", "localhost", "::1"} {
		st, err := handshake(h.s, name, tls.VersionTLS12, 0)
		if err != nil {
			t.Fatalf("handshake as %s: %v", name, err)
		}
		leaf := st.PeerCertificates[0]
		if err := leaf.VerifyHostname(name); err != nil {
			t.Errorf("certificate does not cover %s: %v", name, err)
		}
		now := time.Now()
		if leaf.NotBefore.After(now.Add(-50*time.Minute)) || leaf.NotAfter.Before(now.Add(29*24*time.Hour)) {
			t.Errorf("validity %v..%v: want wall-clock now-1h..now+30d", leaf.NotBefore, leaf.NotAfter)
		}
	}
	if _, err := handshake(h.s, "example.com", tls.VersionTLS12, 0); err == nil {
		t.Error("the certificate verified for example.com")
	}
}

func TestUnknownCAIsRefused(t *testing.T) {
	h := newHarness(t, Options{})
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS12}}}
	_, err := c.Post(h.s.HTTPSURL()+"/api/v2/bills", "application/json", strings.NewReader("{}"))
	var unknown x509.UnknownAuthorityError
	if !errors.As(err, &unknown) {
		t.Fatalf("want an unknown-authority error without the CA, got %v", err)
	}
}

func TestTLS10And11AreRefused(t *testing.T) {
	h := newHarness(t, Options{})
	for _, v := range []uint16{tls.VersionTLS10, tls.VersionTLS11} {
		if _, err := handshake(h.s, "127.0.0.1", tls.VersionTLS10, v); err == nil {
			t.Errorf("a handshake with max version %s succeeded", tls.VersionName(v))
		}
	}
	st, err := handshake(h.s, "127.0.0.1", tls.VersionTLS12, tls.VersionTLS12)
	if err != nil || st.Version != tls.VersionTLS12 {
		t.Fatalf("TLS 1.2: %v", err)
	}
}

func TestHTTPSAnswersCarryHSTS(t *testing.T) {
	h := newHarness(t, Options{})
	for _, c := range []call{{path: "/api/v2/bills"}, {path: "/api/v2/bills", auth: "-"}, {path: "/x"}} {
		if got := h.do(c).header.Get("Strict-Transport-Security"); got != HSTSValue {
			t.Errorf("%s: Strict-Transport-Security = %q, want %q", c.path, got, HSTSValue)
		}
	}
	if got := h.do(call{path: "/api/v2/bills", plain: true, auth: "-"}).header.Get("Strict-Transport-Security"); got != "" {
		t.Errorf("plain HTTP answer carries HSTS %q: browsers ignore it there", got)
	}
}

func TestPlainHTTPRedirectsEveryRequestWith308(t *testing.T) {
	h := newHarness(t, Options{})
	cases := []struct {
		name, method, path, query string
	}{
		{"a POST keeps path and query", http.MethodPost, "/api/v2/bills", "a=1&b=%2F"},
		{"a GET is redirected too", http.MethodGet, "/api/v2/list/bills", ""},
		{"a path outside the API", http.MethodDelete, "/anything/else", "x"},
		{"an escaped path stays escaped", http.MethodPut, "/api/v2/a%20b", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := h.do(call{method: tc.method, path: tc.path, query: tc.query, plain: true, auth: "-"})
			expectStatus(t, r, http.StatusPermanentRedirect)
			want := h.s.HTTPSURL() + tc.path
			if tc.query != "" {
				want += "?" + tc.query
			}
			if got := r.header.Get("Location"); got != want {
				t.Errorf("Location = %q, want %q", got, want)
			}
			if len(r.body) != 0 {
				t.Errorf("redirect has a body: %q", r.body)
			}
		})
	}
}

func TestPlainHTTPNeverServesDataEvenWithCredentials(t *testing.T) {
	h := newHarness(t, Options{})
	r := h.do(call{path: "/api/v2/bills", plain: true})
	expectStatus(t, r, http.StatusPermanentRedirect)
	if len(r.body) != 0 {
		t.Errorf("plain HTTP body: %q", r.body)
	}
}

func TestWildcardBindIsReachedOverLoopback(t *testing.T) {
	s, err := Start(Options{HTTPSAddr: "0.0.0.0:0"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !strings.HasPrefix(s.HTTPSURL(), "https://127.0.0.1:") {
		t.Errorf("wildcard bind: origin %q, want 127.0.0.1", s.HTTPSURL())
	}
}

// refusedWithHandshakeFailure: an old handshake offering every suite TLS
// 1.0 can use ends in the server's handshake_failure alert.
func refusedWithHandshakeFailure(s *Server) bool {
	_, err := handshakeWith(s, "127.0.0.1", tls.VersionTLS10, tls.VersionTLS11, client.LegacyCipherSuites())
	return err != nil && strings.Contains(err.Error(), "remote error: tls: handshake failure")
}

// The plain-HTTP redirect names the host the client asked for, on the
// HTTPS port: a suite pointed at localhost is sent to localhost.
func TestTheRedirectKeepsTheHostAsked(t *testing.T) {
	h := newHarness(t, Options{})
	for _, host := range []string{"localhost", "127.0.0.1"} {
		req, err := http.NewRequest(http.MethodPost, h.s.HTTPURL()+"/api/v2/bills", nil)
		if err != nil {
			t.Fatal(err)
		}
		_, port, _ := net.SplitHostPort(strings.TrimPrefix(h.s.HTTPURL(), "http://"))
		req.Host = net.JoinHostPort(host, port)
		resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		_, httpsPort, _ := net.SplitHostPort(strings.TrimPrefix(h.s.HTTPSURL(), "https://"))
		if want := "https://" + net.JoinHostPort(host, httpsPort) + "/api/v2/bills"; resp.Header.Get("Location") != want {
			t.Errorf("asked as %s: Location %q, want %q", host, resp.Header.Get("Location"), want)
		}
	}
}
