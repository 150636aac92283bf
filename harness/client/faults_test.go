package client

import (
	"context"
	"crypto/tls"
	"errors"
	"github.com/winston-conformance/winston-conformance/harness/evidence"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/winston-conformance/winston-conformance/harness/config"
)

func TestRedirectsAreNeverFollowed(t *testing.T) {
	var followed atomic.Int32
	tg := newTLSTarget(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusTemporaryRedirect)
		case "/elsewhere":
			followed.Add(1)
		default:
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
		}
	})
	c := liveClient(t, tg.Server, nil)
	resp := c.Post(context.Background(), "/api/v2/bills", map[string]any{})
	if resp.Err != nil || resp.Status != http.StatusFound || resp.Header.Get("Location") != "/elsewhere" || followed.Load() != 0 {
		t.Errorf("redirect followed or lost: %v %d %q, followed %d", resp.Err, resp.Status, resp.Header.Get("Location"), followed.Load())
	}
	within(t, 5*time.Second, func() {
		resp = c.Post(context.Background(), "/loop", nil)
	})
	if resp.Status != http.StatusTemporaryRedirect || tg.hits.Load() != 2 {
		t.Errorf("a redirect loop must come back as one 307: %d after %d hits", resp.Status, tg.hits.Load())
	}
}

func TestTLSVerificationIsAlwaysOn(t *testing.T) {
	tg := newTLSTarget(t, ok)
	cfg, err := config.LoadFrom(config.MapLookup(map[string]string{
		config.EnvMode: "live", config.EnvBaseURL: tg.URL, config.EnvHTTPURL: "http://127.0.0.1:9", config.EnvAPIKey: planted,
	}))
	if err != nil {
		t.Fatal(err)
	}
	rt, err := NetworkTransport(cfg)
	if err != nil {
		t.Fatal(err)
	}
	resp := New(cfg, testFixtures, rt).Post(context.Background(), "/api/v2/bills", nil)
	if resp.Err == nil || !strings.Contains(resp.Err.Error(), "certificate") || resp.Unavailable() {
		t.Errorf("an unknown CA must fail verification, and is not an outage: %v (unavailable %v)", resp.Err, resp.Unavailable())
	}
	if tg.hits.Load() != 0 {
		t.Error("a request reached a server whose certificate did not verify")
	}
	if resp := liveClient(t, tg.Server, nil).Post(context.Background(), "/api/v2/bills", nil); resp.Err != nil || resp.Status != 200 {
		t.Errorf("with WINSTON_CA_FILE the same server must verify: %v", resp.Err)
	}
}

func TestOldTLSVersionsAreRefused(t *testing.T) {
	tg := &target{}
	tg.Server = quietServer(tg.wrap(ok))
	tg.TLS = &tls.Config{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11} // #nosec G402 -- a deliberately old server
	tg.StartTLS()
	t.Cleanup(tg.Close)
	resp := liveClient(t, tg.Server, nil).Post(context.Background(), "/api/v2/bills", nil)
	if resp.Err == nil || tg.hits.Load() != 0 {
		t.Errorf("a TLS 1.1 server was accepted: %v", resp.Err)
	}
}

func TestProbeTLS(t *testing.T) {
	tg := newTLSTarget(t, ok)
	c := liveClient(t, tg.Server, nil)
	state, err := c.ProbeTLS(context.Background(), tls.VersionTLS12, tls.VersionTLS13)
	if err != nil || state.Version < tls.VersionTLS12 || len(state.PeerCertificates) == 0 {
		t.Fatalf("modern handshake: %v", err)
	}
	if _, err := c.ProbeTLS(context.Background(), tls.VersionTLS10, tls.VersionTLS11); err == nil {
		t.Error("a TLS 1.0/1.1 handshake succeeded against a server that refuses them")
	}
	replay, err := config.LoadFrom(config.MapLookup(nil))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(replay, testFixtures, nil).ProbeTLS(context.Background(), tls.VersionTLS12, tls.VersionTLS13); err == nil || !strings.Contains(err.Error(), "WINSTON_MODE=live") {
		t.Errorf("replay probe: %v", err)
	}
	other := newTLSTarget(t, ok) // a certificate the configured CA file does not cover
	cfgOther := liveConfig(t, other.Server, nil)
	cfgOther.CAFile = ""
	if _, err := New(cfgOther, testFixtures, nil).ProbeTLS(context.Background(), tls.VersionTLS12, tls.VersionTLS13); err == nil {
		t.Error("ProbeTLS must verify the certificate")
	}
}

func TestTimeoutBeforeTheAnswer(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	tg := newTLSTarget(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	c := liveClient(t, tg.Server, map[string]string{config.EnvTimeout: "200ms"})
	var resp *Response
	d := within(t, 3*time.Second, func() { resp = c.Post(context.Background(), "/api/v2/bills", nil) })
	if resp.Err == nil || !resp.Unavailable() || d < 200*time.Millisecond {
		t.Errorf("timeout: %v, unavailable %v, after %s", resp.Err, resp.Unavailable(), d)
	}
}

func TestHangInTheMiddleOfTheBody(t *testing.T) {
	release := make(chan struct{})
	tg := newTLSTarget(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `[{"_id": "b1"`)
		w.(http.Flusher).Flush()
		// The handler must not end the body by returning when the
		// client gives up (that would finish the chunked answer and let
		// a slow client read it as complete): it waits for the test.
		select {
		case <-release:
		case <-time.After(10 * time.Second):
		}
	})
	// Registered after the server, so it runs before the server's Close,
	// which waits for this handler.
	t.Cleanup(func() { close(release) })
	c := liveClient(t, tg.Server, map[string]string{config.EnvTimeout: "300ms"})
	var resp *Response
	within(t, 3*time.Second, func() { resp = c.Post(context.Background(), "/api/v2/bills", nil) })
	if resp.Err == nil || resp.Status != 200 || !resp.Unavailable() || !strings.Contains(resp.Err.Error(), "read the answer") {
		t.Errorf("hang mid-body: %v status %d unavailable %v", resp.Err, resp.Status, resp.Unavailable())
	}
}

func TestResetAndRefusedConnections(t *testing.T) {
	tg := newTLSTarget(t, func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		if tc, ok := conn.(interface{ NetConn() net.Conn }); ok {
			if tcp, ok := tc.NetConn().(*net.TCPConn); ok {
				_ = tcp.SetLinger(0) // close with RST
			}
		}
		_ = conn.Close()
	})
	c := liveClient(t, tg.Server, nil)
	var resp *Response
	within(t, 5*time.Second, func() { resp = c.Post(context.Background(), "/api/v2/bills", nil) })
	if resp.Err == nil || !resp.Unavailable() || resp.Status != 0 {
		t.Errorf("reset: %v unavailable %v", resp.Err, resp.Unavailable())
	}

	closed := newTLSTarget(t, ok)
	cc := liveClient(t, closed.Server, nil)
	closed.Close()
	within(t, 5*time.Second, func() { resp = cc.Post(context.Background(), "/api/v2/bills", nil) })
	if resp.Err == nil || !resp.Unavailable() {
		t.Errorf("refused: %v unavailable %v", resp.Err, resp.Unavailable())
	}
}

func TestGatewayErrorsAreUnavailableButOtherAnswersAreNot(t *testing.T) {
	status := atomic.Int32{}
	tg := newTLSTarget(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(int(status.Load())) })
	c := liveClient(t, tg.Server, nil)
	for code, want := range map[int]bool{502: true, 503: true, 504: true, 500: false, 429: false, 401: false, 200: false} {
		status.Store(int32(code))
		resp := c.Post(context.Background(), "/api/v2/bills", nil)
		if resp.Unavailable() != want || resp.Err != nil {
			t.Errorf("%d: unavailable %v, want %v (%v)", code, resp.Unavailable(), want, resp.Err)
		}
	}
}

func TestAGigabyteBodyIsCutAtMaxBody(t *testing.T) {
	var written atomic.Int64
	tg := newTLSTarget(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		chunk := []byte(strings.Repeat("[", 64<<10))
		for written.Load() < 1<<30 {
			n, err := w.Write(chunk)
			written.Add(int64(n))
			if err != nil {
				return
			}
		}
	})
	c := liveClient(t, tg.Server, map[string]string{config.EnvMaxBody: "1MiB"})
	var resp *Response
	within(t, 10*time.Second, func() { resp = c.Post(context.Background(), "/api/v2/bills", nil) })
	if !resp.Truncated || len(resp.Body) != 1<<20 || !errors.Is(resp.Err, ErrBodyTooLarge) || resp.Status != 200 {
		t.Fatalf("truncated %v, %d bytes, err %v", resp.Truncated, len(resp.Body), resp.Err)
	}
	if !strings.Contains(resp.Err.Error(), "response body larger than 1048576 bytes") || resp.Unavailable() {
		t.Errorf("flag: %v, unavailable %v", resp.Err, resp.Unavailable())
	}
	if w := written.Load(); w > 256<<20 {
		t.Errorf("the server wrote %d bytes: the client kept reading", w)
	}
	if len(resp.Exchange.ResponseBody) > ExcerptLen+len(evidence.CutMark) || !strings.HasSuffix(resp.Exchange.ResponseBody, evidence.CutMark) || resp.Exchange.ResponseBytes <= 1<<20 {
		t.Errorf("exchange excerpt %d bytes, total %d", len(resp.Exchange.ResponseBody), resp.Exchange.ResponseBytes)
	}
	if _, err := resp.JSON(); err == nil {
		t.Error("JSON of a cut body must fail")
	}
}

func TestInvalidJSONWith200IsAnAnswerNotAnOutage(t *testing.T) {
	tg := newTLSTarget(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"bills": [1, 2,, 3]}`)
	})
	resp := liveClient(t, tg.Server, nil).Post(context.Background(), "/api/v2/bills", nil)
	if resp.Err != nil || resp.Status != 200 || resp.Unavailable() {
		t.Fatalf("invalid JSON: %v %d %v", resp.Err, resp.Status, resp.Unavailable())
	}
	_, err := resp.JSON()
	if err == nil || !strings.Contains(err.Error(), "byte offset 17") {
		t.Errorf("JSON error must name the offset: %v", err)
	}
}

// TestTheTransportCapsTheBodyForEveryReader checks the cap below the client:
// a cassette recorder reads whole bodies, and must not take in a gigabyte.
func TestTheTransportCapsTheBodyForEveryReader(t *testing.T) {
	tg := newTLSTarget(t, func(w http.ResponseWriter, r *http.Request) {
		chunk := []byte(strings.Repeat("x", 64<<10))
		for i := 0; i < 1<<14; i++ {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	rt, err := NetworkTransport(liveConfig(t, tg.Server, map[string]string{config.EnvMaxBody: "1000"}))
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, tg.URL+"/api/v2/bills", nil)
	if err != nil {
		t.Fatal(err)
	}
	within(t, 5*time.Second, func() {
		resp, err := rt.RoundTrip(req)
		if err != nil {
			t.Error(err)
			return
		}
		defer func() { _ = resp.Body.Close() }()
		all, err := io.ReadAll(resp.Body)
		if err != nil || len(all) != 1001 {
			t.Errorf("a reader of the whole body got %d bytes (%v), want MaxBody+1 = 1001", len(all), err)
		}
	})
}

// oldTLSTarget is a server that still speaks TLS 1.0 and 1.1, and only with
// the given cipher suites.
func oldTLSTarget(t *testing.T, suites ...uint16) *target {
	t.Helper()
	tg := &target{}
	tg.Server = quietServer(tg.wrap(ok))
	// #nosec G402 -- a deliberately old server, the thing TRANS-003 must catch
	tg.TLS = &tls.Config{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11, CipherSuites: suites}
	tg.StartTLS()
	t.Cleanup(tg.Close)
	return tg
}

func TestLegacyProbeOffersRSAKeyExchange(t *testing.T) {
	// Go's default suites have no RSA key exchange: a probe with them
	// fails against this server although it allows TLS 1.0.
	tg := oldTLSTarget(t, tls.TLS_RSA_WITH_AES_128_CBC_SHA)
	state, err := liveClient(t, tg.Server, nil).ProbeLegacyTLS(context.Background())
	if err != nil {
		t.Fatalf("a server allowing TLS 1.0 with an RSA key-exchange suite looked as if it refused: %v", err)
	}
	if state.Version > tls.VersionTLS11 {
		t.Errorf("negotiated %s, want TLS 1.0 or 1.1", tls.VersionName(state.Version))
	}
}

func TestVersionRefusedOnlyForTheVersion(t *testing.T) {
	modern := newTLSTarget(t, ok)
	_, err := liveClient(t, modern.Server, nil).ProbeLegacyTLS(context.Background())
	if err == nil || !VersionRefused(err) {
		t.Errorf("a TLS 1.2+ server's protocol_version alert is a refusal: %v", err)
	}
	old := oldTLSTarget(t, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA)
	cfg := liveConfig(t, old.Server, nil)
	cfg.CAFile = "" // the server's certificate no longer verifies
	_, err = New(cfg, testFixtures, nil).ProbeLegacyTLS(context.Background())
	if err == nil || VersionRefused(err) {
		t.Errorf("a certificate that does not verify says nothing about the version: %v", err)
	}
	cfg.BaseURL.Host = hangUpAddr(t)
	_, err = New(cfg, testFixtures, nil).ProbeLegacyTLS(context.Background())
	if err == nil || VersionRefused(err) {
		t.Errorf("a connection closed during the handshake is not a refusal of the version: %v", err)
	}
	if VersionRefused(nil) || VersionRefused(errors.New("tls: handshake failure")) {
		t.Error("only a protocol_version refusal counts")
	}
}

// A server that offers only AEAD suites (which TLS 1.0 cannot use) ends an
// old handshake with handshake_failure, not protocol_version.
func TestHandshakeFailureIsTheServersAlert(t *testing.T) {
	aeadOnly := &target{}
	aeadOnly.Server = quietServer(aeadOnly.wrap(ok))
	// #nosec G402 -- old versions allowed, but with suites they cannot use
	aeadOnly.TLS = &tls.Config{MinVersion: tls.VersionTLS10, CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}}
	aeadOnly.StartTLS()
	t.Cleanup(aeadOnly.Close)
	c := liveClient(t, aeadOnly.Server, nil)
	_, err := c.ProbeLegacyTLS(context.Background())
	if !HandshakeFailure(err) || VersionRefused(err) {
		t.Errorf("an old handshake against AEAD suites alone: %v; want a handshake_failure, not a refusal of the version", err)
	}
	if HandshakeFailure(nil) || HandshakeFailure(errors.New("tls: handshake failure")) || HandshakeFailure(&net.OpError{Op: "remote error", Err: tls.AlertError(70)}) {
		t.Error("only the server's handshake_failure alert counts")
	}
}

// TestProbeMarksOnlyOutagesUnreachable: a probe that never met a TLS
// server (nothing listens, or the connection is closed before the server
// says anything) is marked ErrUnreachable, so the report calls it an
// outage; a refusal of the version or a certificate that does not verify
// is an answer about the target and is never marked.
func TestProbeMarksOnlyOutagesUnreachable(t *testing.T) {
	modern := newTLSTarget(t, ok)
	cfg := liveConfig(t, modern.Server, nil)
	unreachable := func(what string, c *config.Config, want bool) {
		t.Helper()
		for _, probe := range []func(*Client) error{
			func(cl *Client) error {
				_, err := cl.ProbeTLS(context.Background(), tls.VersionTLS12, tls.VersionTLS13)
				return err
			},
			func(cl *Client) error { _, err := cl.ProbeLegacyTLS(context.Background()); return err },
		} {
			err := probe(New(c, testFixtures, nil))
			if err == nil {
				continue // the modern probe of a working server
			}
			if got := errors.Is(err, ErrUnreachable); got != want {
				t.Errorf("%s: marked unreachable %v, want %v: %v", what, got, want, err)
			}
			if want && !strings.HasPrefix(err.Error(), "target unreachable: TLS handshake with ") {
				t.Errorf("%s: the report reads the mark from the text, which must start \"target unreachable: \": %v", what, err)
			}
		}
	}
	unreachable("a server that refuses TLS 1.0/1.1", cfg, false)
	untrusted := liveConfig(t, modern.Server, nil)
	untrusted.CAFile = ""
	unreachable("a certificate that does not verify", untrusted, false)

	refused := liveConfig(t, modern.Server, nil)
	refused.BaseURL.Host = closedPort(t)
	unreachable("a closed port (connection refused)", refused, true)

	hangUp := liveConfig(t, modern.Server, nil)
	hangUp.BaseURL.Host = hangUpAddr(t)
	unreachable("a hang-up before the server hello", hangUp, true)
}

// hangUpAddr is a loopback address that accepts every connection and
// closes it at once, before the server hello, until the test ends.
func hangUpAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_ = c.Close()
		}
	}()
	return ln.Addr().String()
}

// closedPort is a loopback address where nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}
