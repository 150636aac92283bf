package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/winston-conformance/winston-conformance/harness/catalogue"
	"github.com/winston-conformance/winston-conformance/harness/config"
	"github.com/winston-conformance/winston-conformance/harness/redact"
)

// ErrCredentialsOverHTTP means a request with a credential (an
// Authorization header or an api_key query parameter) was about to go to a
// plain http:// URL and was refused unsent. A key sent in clear text is
// leaked whatever the answer, so both the Client and NetworkTransport's
// last layer refuse it.
var ErrCredentialsOverHTTP = errors.New("refused to send credentials over plain http://")

// TransportOption tunes NetworkTransport.
type TransportOption func(*transportOptions)

type transportOptions struct {
	share   int
	backoff time.Duration
	maxWait time.Duration
	control func(ctx context.Context, rt http.RoundTripper) bool
}

// WithOutageControl gives the transport a known-good request to send
// before it stops a whole origin: control sends it through rt (the
// transport itself; with WithoutBreakerCount, so that it counts for
// nothing) and reports whether the target gave an answer. Failures in a
// row on several paths stop the origin only when the control gets no
// answer either; when it does, they were the failures of a kind of
// request (a target that resets the connection on malformed JSON, say),
// and every other request still goes out. Without it, such failures stop
// the origin for BreakerProbeEvery.
func WithOutageControl(control func(ctx context.Context, rt http.RoundTripper) bool) TransportOption {
	return func(o *transportOptions) { o.control = control }
}

// Example is a request known to be good: an endpoint's path and its
// example body.
type Example struct {
	Path string
	Body any
}

// ExampleControl is an outage control (WithOutageControl) that POSTs the
// examples in turn with the configured credentials, each once, past the
// breaker, counted for nothing and recorded nowhere, until one gets any
// answer but a 502, 503 or 504 (a 4xx too says the target is there). More
// than one, so that the one service that is down is not taken for all.
func ExampleControl(cfg *config.Config, fixtures catalogue.Fixtures, examples ...Example) func(ctx context.Context, rt http.RoundTripper) bool {
	return func(ctx context.Context, rt http.RoundTripper) bool {
		c := New(cfg, fixtures, rt)
		for _, ex := range examples {
			resp := c.Post(ctx, ex.Path, ex.Body, WithoutBreaker(), WithoutRetry(), WithNote("outage control: is the target there?"))
			if resp.Err == nil && !resp.Exchange.Unavailable {
				return true
			}
			if ctx.Err() != nil {
				return false
			}
		}
		return false
	}
}

// WithProcessShare divides the requests-per-second cap among n processes
// (Ginkgo's parallel processes), so that together they stay under
// WINSTON_MAX_RPS. n below 1 counts as 1.
func WithProcessShare(n int) TransportOption {
	return func(o *transportOptions) { o.share = max(n, 1) }
}

// WithBackoff sets the first wait before retrying a 502, 503 or 504 that
// has no Retry-After (default 500ms); each further retry waits twice as
// long.
func WithBackoff(first time.Duration) TransportOption {
	return func(o *transportOptions) { o.backoff = first }
}

// WithMaxRetryWait caps a retry's wait (default 30s). A Retry-After longer
// than this is not waited for: the 429 or 503 is returned as is, so a run
// is never stalled for minutes by one answer.
func WithMaxRetryWait(d time.Duration) TransportOption {
	return func(o *transportOptions) { o.maxWait = d }
}

// NetworkTransport is the transport to the real target: TLS 1.2 or newer
// with verification always on (the system roots plus WINSTON_CA_FILE), the
// configured timeout on every attempt (body included), the
// requests-per-second cap, retries of 429/502/503/504 within
// WINSTON_RETRIES, bodies cut after WINSTON_MAX_BODY, and a last guard that
// refuses any http:// request carrying credentials. It never follows
// redirects: it is a RoundTripper, not an http.Client.
func NetworkTransport(cfg *config.Config, opts ...TransportOption) (http.RoundTripper, error) {
	if cfg == nil {
		return nil, errors.New("network transport: nil configuration; load one with config.Load")
	}
	o := transportOptions{share: 1, backoff: 500 * time.Millisecond, maxWait: 30 * time.Second}
	for _, opt := range opts {
		opt(&o)
	}
	pool, err := rootCAs(cfg)
	if err != nil {
		return nil, fmt.Errorf("network transport: %w", err)
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = 15 * time.Second
	}
	base := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:       &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
		ExpectContinueTimeout: time.Second,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConnsPerHost:   max(cfg.Concurrency, 1),
		ForceAttemptHTTP2:     true,
	}
	// A request that may change data goes out over HTTP/1.1 on a
	// connection of its own: net/http resends a request by itself only on
	// a reused HTTP/1.1 connection or over HTTP/2 (after a stream reset or
	// a GOAWAY, bodiless requests whatever they are), and an order must
	// reach the server at most once per send the client decides on.
	once := base.Clone()
	once.ForceAttemptHTTP2 = false
	once.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
	// Clone has set base up for HTTP/2, "h2" in its TLS offer included:
	// this one offers HTTP/1.1 alone.
	once.TLSClientConfig.NextProtos = []string{"http/1.1"}
	once.DisableKeepAlives = true
	rps := cfg.MaxRPS / float64(o.share)
	retries := max(cfg.Retries, 0)
	return &retryTransport{
		next:          credentialGuard{next: countedResends{next: base, limit: retries}},
		mutations:     credentialGuard{next: once},
		breaker:       newBreaker(),
		outageControl: o.control,
		controlOrigin: cfg.BaseURL.Scheme + "://" + cfg.BaseURL.Host,
		limiter:       newLimiter(rps),
		timeout:       timeout,
		retries:       max(cfg.Retries, 0),
		maxBody:       cfg.MaxBody,
		backoff:       o.backoff,
		maxWait:       o.maxWait,
	}, nil
}

// countedResends makes the resends net/http's HTTP/2 transport does by
// itself after some stream resets and GOAWAYs retries like the client's
// own: counted in the exchange, and no more of them than WINSTON_RETRIES
// allows. A body is rewound through GetBody, which counts each resend; a
// bodiless request is resent as it is, so each connection it is sent on
// (httptrace's GotConn, once per attempt) counts instead.
type countedResends struct {
	next http.RoundTripper
	// limit is WINSTON_RETRIES.
	limit int
}

// errHiddenResends ends a request that net/http kept resending by itself.
var errHiddenResends = errors.New("the connection failed the request again each time it was resent (HTTP/2 stream resets or GOAWAY beyond WINSTON_RETRIES)")

func (c countedResends) RoundTrip(req *http.Request) (*http.Response, error) {
	ctl := controlFrom(req.Context())
	if req.GetBody == nil {
		return c.bodiless(req, ctl)
	}
	get, resent := req.GetBody, 0
	r := req.Clone(req.Context())
	r.Body = req.Body
	r.GetBody = func() (io.ReadCloser, error) {
		resent++
		if resent > c.limit {
			return nil, errHiddenResends
		}
		ctl.retries.Add(1)
		return get()
	}
	return c.next.RoundTrip(r)
}

// bodiless sends a request without a body, counting each attempt after the
// first as a retry and ending the request (through its context) when an
// attempt would go past the limit.
func (c countedResends) bodiless(req *http.Request, ctl *control) (*http.Response, error) {
	ctx, cancel := context.WithCancelCause(req.Context())
	var attempts atomic.Int32
	trace := &httptrace.ClientTrace{GotConn: func(httptrace.GotConnInfo) {
		resent := int(attempts.Add(1)) - 1
		switch {
		case resent > c.limit:
			cancel(errHiddenResends)
		case resent > 0:
			ctl.retries.Add(1)
		}
	}}
	resp, err := c.next.RoundTrip(req.WithContext(httptrace.WithClientTrace(ctx, trace)))
	if err != nil {
		hidden := errors.Is(context.Cause(ctx), errHiddenResends)
		cancel(nil)
		if hidden {
			return nil, errHiddenResends
		}
		return nil, err
	}
	// The answer's body is read under ctx: it is cancelled once the body
	// is closed, not before.
	resp.Body = cancelOnClose{ReadCloser: resp.Body, cancel: func() { cancel(nil) }}
	return resp, nil
}

// cancelOnClose releases a request's context when its answer's body is
// closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel func()
}

func (c cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}

// rootCAs is the system roots plus the configured CA file. Verification is
// never switched off: a private CA is trusted by adding it, not by skipping
// the check.
func rootCAs(cfg *config.Config) (*x509.CertPool, error) {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if cfg.CAFile == "" {
		return pool, nil
	}
	pem, err := os.ReadFile(cfg.CAFile)
	if err != nil {
		return nil, fmt.Errorf("read WINSTON_CA_FILE %s: %w", cfg.CAFile, err)
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("WINSTON_CA_FILE %s contains no PEM certificate", cfg.CAFile)
	}
	return pool, nil
}

// credentialGuard is the last layer before the network: whatever the layers
// above did, a credential never leaves over plain http.
type credentialGuard struct{ next http.RoundTripper }

func (g credentialGuard) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme != "https" && (carriesCredentials(req) || bodyHoldsSecret(req)) {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, fmt.Errorf("%w: %s %s://%s%s carries a credential", ErrCredentialsOverHTTP, req.Method, req.URL.Scheme, req.URL.Host, req.URL.Path)
	}
	return g.next.RoundTrip(req)
}

// carriesCredentials reports whether req holds anything that is or may
// contain a key: an Authorization or Proxy-Authorization header, a URL
// user, an api_key query parameter, or a registered secret (any form of
// it redact.Global() knows) in the URL or any header, whatever its name.
func carriesCredentials(req *http.Request) bool {
	if req.Header.Get("Authorization") != "" || req.Header.Get("Proxy-Authorization") != "" || req.URL.User != nil {
		return true
	}
	q := req.URL.Query()
	if q.Has("api_key") || q.Has("apiKey") {
		return true
	}
	red := redact.Global()
	if red.Contains([]byte(req.URL.String())) {
		return true
	}
	for name, values := range req.Header {
		for _, v := range values {
			if red.Contains([]byte(name + ": " + v)) {
				return true
			}
		}
	}
	return false
}

// bodyHoldsSecret reports whether the body of req, read through GetBody
// (a copy: the body itself is left unread), holds a registered secret. A
// body that cannot be copied cannot be shown to be free of one.
func bodyHoldsSecret(req *http.Request) bool {
	if req.Body == nil || req.Body == http.NoBody {
		return false
	}
	if req.GetBody == nil {
		return true
	}
	rc, err := req.GetBody()
	if err != nil {
		return true
	}
	defer func() { _ = rc.Close() }()
	b, err := io.ReadAll(rc)
	return err != nil || redact.Global().Contains(b)
}

// ProbeTLS makes a TLS handshake with the target's host (WINSTON_BASE_URL)
// allowing only versions minVersion to maxVersion, with verification on, and
// returns the negotiated state. It sends no HTTP request and no credential.
// The TLS checks use it; in replay mode there is no network and it fails.
func (c *Client) ProbeTLS(ctx context.Context, minVersion, maxVersion uint16) (*tls.ConnectionState, error) {
	return c.probeTLS(ctx, minVersion, maxVersion, nil)
}

// ProbeLegacyTLS makes a TLS 1.0/1.1 handshake with the target's host,
// offering every cipher suite Go implements (tls.CipherSuites and
// tls.InsecureCipherSuites, RSA key exchange included), so that a server
// which still allows the old versions with old suites is not mistaken for
// one that refuses them. Verification stays on. Whether an error is the
// server's refusal of the version is for VersionRefused to say.
func (c *Client) ProbeLegacyTLS(ctx context.Context) (*tls.ConnectionState, error) {
	var suites []uint16
	for _, cs := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
		suites = append(suites, cs.ID)
	}
	return c.probeTLS(ctx, tls.VersionTLS10, tls.VersionTLS11, suites)
}

// LegacyCipherSuites are the IDs of the cipher suites Go implements that
// TLS 1.0 and 1.1 can use (CBC and RC4 suites; never an AEAD one).
func LegacyCipherSuites() []uint16 {
	var ids []uint16
	for _, cs := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
		if slices.Contains(cs.SupportedVersions, tls.VersionTLS10) {
			ids = append(ids, cs.ID)
		}
	}
	return ids
}

// HandshakeFailure reports whether err from a TLS handshake is the
// server's handshake_failure alert: no common parameters, which some
// servers and load balancers also send to refuse an old version.
func HandshakeFailure(err error) bool { return remoteAlert(err, alertHandshakeFailure) }

// remoteAlert reports whether err is the server's TLS alert code: a remote
// error that net/http wraps with the alert's text (its type is
// unexported), or a tls.AlertError.
func remoteAlert(err error, code uint8) bool {
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "remote error" && opErr.Err != nil &&
		opErr.Err.Error() == tls.AlertError(code).Error() {
		return true
	}
	var alert tls.AlertError
	return errors.As(err, &alert) && alert == tls.AlertError(code)
}

// alertHandshakeFailure is the TLS handshake_failure alert (RFC 8446
// section 6.2).
const alertHandshakeFailure = 40

// dialTarget opens a TCP connection to the target's HTTPS host and port for
// a probe, within the configured timeout. what names the probe in errors,
// with %s for the address; fail wraps a probe's later errors the same way.
// A dial that fails is ErrUnreachable (an outage), but for a host name DNS
// does not know, which is a name to correct.
func (c *Client) dialTarget(ctx context.Context, what string) (conn net.Conn, pctx context.Context, cancel context.CancelFunc, fail func(error) error, err error) {
	if c.cfg.IsReplay() {
		return nil, nil, nil, nil, errors.New("a TLS handshake cannot be replayed from a cassette: set WINSTON_MODE=live (or record)")
	}
	if c.cfg.BaseURL == nil || c.cfg.BaseURL.Host == "" {
		return nil, nil, nil, nil, errors.New("no target to probe: set WINSTON_BASE_URL")
	}
	host, port := c.cfg.BaseURL.Hostname(), c.cfg.BaseURL.Port()
	if port == "" {
		port = "443"
	}
	timeout := c.cfg.Timeout
	if timeout <= 0 {
		timeout = 15 * time.Second
	}
	if ctx == nil {
		ctx = context.Background()
	}
	pctx, cancel = context.WithTimeout(ctx, timeout)
	addr := net.JoinHostPort(host, port)
	fail = func(err error) error {
		return redactErr(fmt.Errorf(what+": %w", addr, err))
	}
	conn, err = (&net.Dialer{Timeout: timeout}).DialContext(pctx, "tcp", addr)
	if err != nil {
		cancel()
		var dnsErr *net.DNSError
		if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
			// No such host: a name to correct, not an outage.
			return nil, nil, nil, nil, fail(err)
		}
		// Nothing listened, or the host could not be reached: an
		// outage.
		return nil, nil, nil, nil, fmt.Errorf("%w: %w", ErrUnreachable, fail(err))
	}
	return conn, pctx, cancel, fail, nil
}

// VersionRefused reports whether err from a TLS handshake is the server
// refusing the protocol version: a protocol_version alert, or a
// ServerHello that picks a version the client did not offer. Any other
// error (no common cipher suite, a certificate that does not verify, a
// reset) says nothing about the version.
func VersionRefused(err error) bool {
	return remoteAlert(err, alertProtocolVersion) ||
		err != nil && strings.Contains(err.Error(), "tls: server selected unsupported protocol version")
}

// alertProtocolVersion is the TLS alert a server sends when it refuses the
// offered versions (RFC 8446 section 6.2, protocol_version).
const alertProtocolVersion = 70

func (c *Client) probeTLS(ctx context.Context, minVersion, maxVersion uint16, suites []uint16) (*tls.ConnectionState, error) {
	pool, err := rootCAs(c.cfg)
	if err != nil {
		return nil, err
	}
	what := fmt.Sprintf("TLS handshake with %%s (versions %s to %s)", tls.VersionName(minVersion), tls.VersionName(maxVersion))
	raw, ctx, cancel, fail, err := c.dialTarget(ctx, what)
	if err != nil {
		return nil, err
	}
	defer cancel()
	host := c.cfg.BaseURL.Hostname()
	counted := &countingConn{Conn: raw}
	// #nosec G402 -- the TLS checks probe old versions on purpose; verification stays on
	tc := tls.Client(counted, &tls.Config{RootCAs: pool, ServerName: host, MinVersion: minVersion, MaxVersion: maxVersion, CipherSuites: suites})
	defer func() { _ = tc.Close() }()
	if err := tc.HandshakeContext(ctx); err != nil {
		if handshakeUnreachable(err, counted.read.Load()) {
			return nil, fmt.Errorf("%w: %w", ErrUnreachable, fail(err))
		}
		return nil, fail(err)
	}
	state := tc.ConnectionState()
	return &state, nil
}

// ErrUnreachable marks a TLS probe that never reached a TLS server: the
// connection was refused, the host was not found or not reachable, or the
// connection timed out, was reset or closed before the server sent a
// single byte. Such a probe says nothing about the contract (an outage,
// not a refused TLS version or a bad certificate); the report reads the
// mark from the error text, which starts with "target unreachable: ".
var ErrUnreachable = errors.New("target unreachable")

// handshakeUnreachable reports whether a handshake error after the TCP
// connection was made is an outage. Before the server sent anything (read
// is how many bytes came from it), it is an outage exactly when the same
// error would mark an exchange unavailable (a reset, a hang-up, a
// timeout); after that only a timeout is. An alert, a certificate that
// does not verify, or a hang-up after the server hello are answers about
// the target's TLS.
func handshakeUnreachable(err error, read int64) bool {
	if read == 0 {
		return unavailable(0, err)
	}
	return timedOut(err)
}

// countingConn counts the bytes read from the server, so that a hang-up
// before the server hello is told apart from one after it.
type countingConn struct {
	net.Conn
	read atomic.Int64
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.read.Add(int64(n))
	return n, err
}
