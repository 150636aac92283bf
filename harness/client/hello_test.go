package client

import (
	"context"
	"crypto/tls"
	"encoding/binary"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/winston-conformance/winston-conformance/harness/config"
)

// cannedTLS listens on loopback and answers the first ClientHello it reads
// with answer, as a server whose TLS stack Go's lacks would.
func cannedTLS(t *testing.T, answer []byte) *httptest.Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &httptest.Server{Listener: ln, URL: "https://" + ln.Addr().String()}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			head := make([]byte, 5)
			if _, err := io.ReadFull(c, head); err == nil {
				_, _ = io.CopyN(io.Discard, c, int64(binary.BigEndian.Uint16(head[3:5])))
				_, _ = c.Write(answer)
			}
			_ = c.Close()
		}
	}()
	t.Cleanup(func() { _ = ln.Close() })
	return srv
}

// serverHello is a handshake record holding a ServerHello that chose
// version and suite.
func serverHello(version, suite uint16) []byte {
	body := []byte{2, 0, 0, 0}
	body = binary.BigEndian.AppendUint16(body, version)
	body = append(body, make([]byte, 32)...)
	body = append(body, 0)
	body = binary.BigEndian.AppendUint16(body, suite)
	body = append(body, 0)
	n := len(body) - 4
	body[1], body[2], body[3] = byte(n>>16), byte(n>>8), byte(n)
	return append([]byte{22, 3, 1, byte(len(body) >> 8), byte(len(body))}, body...)
}

// A server that allows TLS 1.0 with a DHE suite, which Go cannot offer, is
// seen to allow it by the hand-written hello; one that refuses says so.
func TestTheLegacyHelloSeesWhatGoCannotOffer(t *testing.T) {
	cfg := func(srv *httptest.Server) *Client {
		c, err := newProbeClient(t, srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	dhe := cannedTLS(t, serverHello(0x0301, 0x0033)) // TLS_DHE_RSA_WITH_AES_128_CBC_SHA
	h, err := cfg(dhe).ProbeLegacyHello(context.Background())
	if err != nil || !h.Accepted() || h.Suite != 0x0033 {
		t.Errorf("a TLS 1.0 DHE server: %+v, %v; want TLS 1.0 accepted with suite 0x0033", h, err)
	}
	// A warning alert first (unrecognized_name on an SNI the server does
	// not know) is no refusal; nor does a ServerHello split across two
	// records hide its version.
	hello := serverHello(0x0301, 0x0033)
	split := append([]byte{21, 3, 1, 0, 2, 1, 112}, append([]byte{22, 3, 1, 0, 20}, hello[5:25]...)...)
	split = append(split, append([]byte{22, 3, 1, 0, byte(len(hello) - 25)}, hello[25:]...)...)
	h, err = cfg(cannedTLS(t, split)).ProbeLegacyHello(context.Background())
	if err != nil || !h.Accepted() || h.Suite != 0x0033 {
		t.Errorf("a warning alert, then a ServerHello in two records: %+v, %v; want TLS 1.0 accepted with suite 0x0033", h, err)
	}
	refusing := cannedTLS(t, []byte{21, 3, 1, 0, 2, 2, 40}) // fatal handshake_failure
	h, err = cfg(refusing).ProbeLegacyHello(context.Background())
	if err != nil || h.Accepted() || h.Alert != 40 {
		t.Errorf("a refusing server: %+v, %v; want alert 40", h, err)
	}
	// Go's own TLS server, with old versions allowed and not.
	for _, tc := range []struct {
		name   string
		cfg    *tls.Config
		accept bool
	}{
		{"TLS 1.2 and newer", &tls.Config{MinVersion: tls.VersionTLS12}, false},
		{"TLS 1.0 allowed", &tls.Config{MinVersion: tls.VersionTLS10}, true}, // #nosec G402 -- a deliberately old server
		{"TLS 1.0 allowed with AEAD suites alone", &tls.Config{MinVersion: tls.VersionTLS10, CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}}, false}, // #nosec G402
	} {
		srv := quietServer(http.HandlerFunc(ok))
		srv.TLS = tc.cfg
		srv.StartTLS()
		h, err := cfg(srv).ProbeLegacyHello(context.Background())
		srv.Close()
		if err != nil || h.Accepted() != tc.accept {
			t.Errorf("%s: %+v, %v; want accepted %v", tc.name, h, err, tc.accept)
		}
	}
}

// newProbeClient is a live client of base that needs no CA: the hello
// probe verifies nothing, as it completes no handshake.
func newProbeClient(t *testing.T, base string) (*Client, error) {
	t.Helper()
	cfg, err := config.LoadFrom(config.MapLookup(map[string]string{
		config.EnvMode: "live", config.EnvBaseURL: base, config.EnvHTTPURL: "http://127.0.0.1:9",
		config.EnvAPIKey: planted, config.EnvTimeout: "2s", config.EnvReportDir: t.TempDir(),
	}))
	if err != nil {
		return nil, err
	}
	return New(cfg, testFixtures, nil), nil
}
