// Package sandbox is a local stand-in for the Winston POS API v2, built
// from the project's contract page (shared/winston-contract.md): HTTPS
// with a CA it generates at start, a plain-HTTP listener that only
// redirects, Token auth with two seeded tenants, POST-only JSON routes
// over deterministic data, a rate limit, and named faults that each break
// one documented behaviour.
//
// Its answers are fixed by its options: the data derives from a fixed
// clock (Options.Now) and seeds, the Date header is suppressed and JSON
// field order is fixed, so two fresh sandboxes give byte-identical answers
// and cassettes recorded from it do not churn.
//
// Where the public docs are silent the sandbox does what a real POS would
// likely do; such choices are marked "inferred:" in the code. Answers carry
// the header X-Winston-Sandbox so that nothing recorded from the sandbox
// passes for evidence about the real API.
//
// In a Go test:
//
//	s, err := sandbox.Start(sandbox.Options{})
//	if err != nil { t.Fatal(err) }
//	defer s.Close()
//	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: s.CertPool()}}}
//	// POST s.HTTPSURL()+"/api/v2/bills" with "Authorization: Token api_test@"+sandbox.DefaultKey
package sandbox

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/winston-conformance/winston-conformance/harness/redact"
)

// shutdownGrace is how long Close lets answers in flight finish before it
// cuts the connections.
const shutdownGrace = 5 * time.Second

// Server is a running sandbox. Create it with Start; stop it with Close.
type Server struct {
	opts    Options
	faults  faultSet
	pki     *pki
	tenants []*tenant
	limiter *limiter
	// throttled counts requests for Options.ThrottleAfter.
	throttled atomic.Int64
	own       *redact.Redactor // the sandbox's own keys, for its log

	httpsURL, httpURL string
	httpsSrv, httpSrv *http.Server
	api               http.Handler

	logMu     sync.Mutex
	closing   chan struct{}
	closeOnce sync.Once
	closeErr  error
	served    sync.WaitGroup
	stop      downState
}

// Start validates opts, generates the CA and server certificate, binds
// both listeners, writes the CA to opts.CAOut (when set) and serves until
// Close. Every problem (bad option, unknown fault, address in use,
// unwritable CA path) is returned before anything serves, and nothing is
// left listening; an address in use leaves opts.CAOut untouched.
func Start(opts Options) (*Server, error) {
	o, faults, err := opts.normalize()
	if err != nil {
		return nil, err
	}
	p, err := newPKI(time.Now(), faults.on(faultTLSExpiredCert), faults.on(faultTLSWrongHost), faults.on(faultTLSNamesOnly))
	if err != nil {
		return nil, fmt.Errorf("sandbox certificates: %w", err)
	}
	// Both listeners are bound before the CA is written: a second sandbox
	// started on a running one's ports (with the same --ca-out) must fail
	// without replacing the CA that the running one's clients trust.
	httpsLn, err := listen("HTTPS", "--https", o.HTTPSAddr)
	if err != nil {
		return nil, err
	}
	httpLn, err := listen("HTTP", "--http", o.HTTPAddr)
	if err != nil {
		_ = httpsLn.Close() // nothing was served on it
		return nil, err
	}
	if o.CAOut != "" {
		if err := p.writeCA(o.CAOut); err != nil {
			_ = httpsLn.Close() // nothing was served on either
			_ = httpLn.Close()
			return nil, err
		}
	}
	s := newServer(o, faults, p)
	s.httpsURL = origin("https", httpsLn.Addr())
	s.httpURL = origin("http", httpLn.Addr())

	old := oldRefused
	switch {
	case faults.on(faultTLSAllowOld):
		old = oldAllowed
	case faults.on(variantTLSOldHandshakeFailure):
		old = oldHandshakeFailure
	case faults.on(variantTLSAEADOnly):
		old = oldAEADOnly
	}
	cfg := p.tlsConfig(old)
	tlsLn := tls.NewListener(httpsLn, cfg)
	if faults.on(faultReset) {
		tlsLn = resetListener{Listener: httpsLn, cfg: cfg}
	}
	s.httpsSrv = s.httpServer(s.downAfter(s.logged(s.throttleAfter(s.api, o.ThrottleAfter, true), "https"), o.DownAfter))
	s.httpSrv = s.httpServer(s.downAfter(s.logged(s.throttleAfter(http.HandlerFunc(s.serveRedirect), o.ThrottleAfter, false), "http"), o.DownAfter))
	s.serve(s.httpsSrv, tlsLn)
	if faults.on(faultHTTPPortClosed) {
		_ = httpLn.Close()
	} else {
		s.serve(s.httpSrv, httpLn)
	}
	return s, nil
}

// newServer builds the server state shared by the listeners and Handler.
func newServer(o Options, faults faultSet, p *pki) *Server {
	perDay := billsPerDayTenant1
	if faults.on(faultLimitOverCapServed) || faults.on(variantCappedLimit) {
		// Enough bills that a limit over the cap could list more.
		perDay = manyBillsPerDay
	}
	s := &Server{
		opts:    o,
		faults:  faults,
		pki:     p,
		closing: make(chan struct{}),
		own:     redact.New(),
		tenants: []*tenant{
			newTenant(1, o.Key, o.Now, perDay),
			newTenant(2, o.Key2, o.Now, billsPerDayTenant2),
		},
	}
	s.own.Add(o.Key, "<SANDBOX_KEY>")
	s.own.Add(o.Key2, "<SANDBOX_KEY_2>")
	rate := o.RateLimit
	if faults.on(fault429NoRetryAfter) && (rate == 0 || rate > faultRateLimit) {
		rate = faultRateLimit
	}
	s.limiter = newLimiter(rate)
	s.api = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.serveAPI(w, r, false) })
	return s
}

// httpServer bounds every phase a client controls: headers, body, idle.
// There is no write timeout: fault hang and Options.Latency hold answers
// on purpose, and they end when the client goes away.
func (s *Server) httpServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          log.New(errorLogWriter{s}, "", 0),
	}
}

func (s *Server) serve(srv *http.Server, ln net.Listener) {
	s.served.Add(1)
	go func() {
		defer s.served.Done()
		// Serve returns ErrServerClosed on Close; any other error means
		// the listener broke, and the next request will show it.
		_ = srv.Serve(ln)
	}()
}

// listen binds addr with a message that names the flag to change.
func listen(what, flag, addr string) (net.Listener, error) {
	ln, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen for %s on %s: %w (the address is in use or not local: choose another with %s, or port 0 for a free one)",
			what, addr, err, flag)
	}
	return ln, nil
}

// HTTPSURL is the HTTPS origin, e.g. "https://127.0.0.1:8443".
func (s *Server) HTTPSURL() string { return s.httpsURL }

// HTTPURL is the plain-HTTP origin, which only redirects.
func (s *Server) HTTPURL() string { return s.httpURL }

// CAFile is the path the CA certificate was written to, "" if none.
func (s *Server) CAFile() string { return s.opts.CAOut }

// CAPEM is the CA certificate in PEM form.
func (s *Server) CAPEM() []byte { return append([]byte(nil), s.pki.caPEM...) }

// CertPool holds the CA, for clients in the same process.
func (s *Server) CertPool() *x509.CertPool { return s.pki.pool.Clone() }

// Now is the sandbox's fixed clock, the reference time of its data; the
// suite's WINSTON_NOW should equal it.
func (s *Server) Now() time.Time { return s.opts.Now }

// Handler is the API handler (what the HTTPS listener serves, without
// TLS), for in-process tests with httptest.NewRecorder. Fault reset
// aborts the request there, since there is no handshake to cut.
func (s *Server) Handler() http.Handler { return s.api }

// Close stops both listeners. Requests held by fault hang or Latency end
// at once; others get shutdownGrace to finish. Close is safe to call more
// than once.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		close(s.closing)
		ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		defer cancel()
		var errs []error
		for _, srv := range []*http.Server{s.httpsSrv, s.httpSrv} {
			if s.stop.down.Load() {
				break // already closed by goDown
			}
			if err := srv.Shutdown(ctx); err != nil {
				errs = append(errs, fmt.Errorf("shut down sandbox listener: %w", err))
				_ = srv.Close() // the grace period is over: cut what is left
			}
		}
		s.served.Wait()
		if err := errors.Join(errs...); err != nil {
			s.closeErr = err
		}
	})
	return s.closeErr
}
