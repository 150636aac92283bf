package sandbox

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/winston-conformance/winston-conformance/harness/redact"
)

// httpsOriginFor is the HTTPS origin of host (a Host header, with or
// without its port) on the sandbox's HTTPS port; the sandbox's own HTTPS
// origin when host is empty or not one its certificate covers.
func (s *Server) httpsOriginFor(host string) string {
	h, _, err := net.SplitHostPort(host)
	if err != nil {
		h = strings.Trim(host, "[]")
	}
	_, port, err := net.SplitHostPort(strings.TrimPrefix(s.httpsURL, "https://"))
	if err != nil || (h != "localhost" && h != "127.0.0.1" && h != "::1") {
		return s.httpsURL
	}
	return "https://" + net.JoinHostPort(h, port)
}

// serveRedirect answers every request on the plain-HTTP listener, any
// method, without auth: 308 to the same path and query on the HTTPS
// origin, with an empty body, so no API data ever travels in clear.
func (s *Server) serveRedirect(w http.ResponseWriter, r *http.Request) {
	if s.faults.on(faultHTTPServesData) || s.faults.on(faultHTTPServesLists) && strings.HasPrefix(r.URL.Path, "/api/v2/list/") {
		s.serveAPI(w, r, true)
		return
	}
	s.baseHeaders(w, false)
	if s.faults.on(faultOutage) {
		writeText(w, http.StatusServiceUnavailable, "Service Unavailable: the sandbox simulates an outage (fault outage)")
		return
	}
	// The HTTPS origin of the host the client asked for (127.0.0.1,
	// localhost or ::1: the certificate covers each), on the HTTPS port.
	origin := s.httpsOriginFor(r.Host)
	loc := origin + r.URL.EscapedPath()
	if r.URL.RawQuery != "" || r.URL.ForceQuery {
		loc += "?" + r.URL.RawQuery
	}
	switch {
	case s.faults.on(faultRedirectWrongPath):
		loc = origin + "/"
	case s.faults.on(variantRedirectDropsQuery):
		loc = origin + r.URL.EscapedPath()
	case s.faults.on(faultRedirectToHTTP):
		loc = "http://" + strings.TrimPrefix(loc, "https://")
	case s.faults.on(faultRedirectWrongPort):
		// The https origin on a port where nothing listens (1, tcpmux):
		// a redirect a client cannot follow, on the right host.
		host, _, err := net.SplitHostPort(r.Host)
		if err != nil {
			host = r.Host
		}
		loc = "https://" + net.JoinHostPort(host, "1") + strings.TrimPrefix(loc, origin)
	case s.faults.on(faultRedirectOtherHost):
		other := "localhost"
		if h, _, err := net.SplitHostPort(r.Host); err == nil && h == "localhost" {
			other = "127.0.0.1"
		}
		loc = s.httpsOriginFor(net.JoinHostPort(other, "0")) + strings.TrimPrefix(loc, origin)
	}
	status := http.StatusPermanentRedirect
	switch {
	case s.faults.on(faultRedirect301):
		status = http.StatusMovedPermanently
	case s.faults.on(faultHTTPNotModified):
		status = http.StatusNotModified
	}
	w.Header().Set("Location", loc)
	if s.faults.on(faultRedirectLeaksData) {
		answer := &bufferedAnswer{header: http.Header{}}
		s.serveAPI(answer, r, true)
		writeBytes(w, status, answer.header.Get("Content-Type"), answer.body.Bytes())
		return
	}
	if s.faults.on(variantProxyRedirectBody) {
		// What a web framework or proxy in front of the API writes on
		// its own redirect: no API data, but more than a message.
		note := fmt.Sprintf(`{"statusCode":%d,"error":%q,"message":"use https","path":%q,"timestamp":%q}`,
			status, http.StatusText(status), r.URL.EscapedPath(), s.opts.Now.UTC().Format(time.RFC3339))
		writeBytes(w, status, "application/json", []byte(note))
		return
	}
	writeBytes(w, status, "", nil)
}

// bufferedAnswer keeps an answer in memory instead of sending it, so fault
// http-redirect-leaks-data can put what the API would say into a redirect.
type bufferedAnswer struct {
	header http.Header
	body   bytes.Buffer
}

func (b *bufferedAnswer) Header() http.Header         { return b.header }
func (b *bufferedAnswer) Write(p []byte) (int, error) { return b.body.Write(p) }
func (b *bufferedAnswer) WriteHeader(int)             {}

// logged wraps h so that each request leaves one line on opts.Log:
// "POST /api/v2/bills 200", plus " (http)" for the plain listener. The
// line holds the escaped path only, never headers or the query (where a
// v1 client puts its key), and still passes through the redactors.
func (s *Server) logged(h http.Handler, listener string) http.Handler {
	if s.opts.Log == nil {
		return h
	}
	suffix := ""
	if listener == "http" {
		suffix = " (http)"
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			s.logf("%s %s %d%s\n", r.Method, r.URL.EscapedPath(), rec.status, suffix)
		}()
		h.ServeHTTP(rec, r)
	})
}

// logf writes one redacted line: first the sandbox's own keys (which the
// suite's redactor may not know), then the process-wide redactor.
func (s *Server) logf(format string, args ...any) {
	if s.opts.Log == nil {
		return
	}
	line := s.own.String(fmt.Sprintf(format, args...))
	s.logMu.Lock()
	defer s.logMu.Unlock()
	_, _ = s.opts.Log.Write([]byte(redact.Global().String(line))) // a broken log must not break answers
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// errorLogWriter receives net/http's own messages (TLS handshake errors
// and the like) and sends them to the request log.
type errorLogWriter struct{ s *Server }

func (e errorLogWriter) Write(p []byte) (int, error) {
	e.s.logf("%s", p)
	return len(p), nil
}

// resetListener is fault reset: it completes each TLS handshake and then
// closes the connection before any request is read. Accept never hands a
// connection to the HTTP server; it returns only when the listener closes.
type resetListener struct {
	net.Listener
	cfg *tls.Config
}

func (l resetListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			tc := tls.Server(c, l.cfg)
			_ = tc.HandshakeContext(ctx) // the close below is the point, whatever the handshake did
			_ = c.Close()
		}()
	}
}

// origin is the URL origin clients use for a listener. A wildcard bind is
// reached over loopback, which the certificate covers.
func origin(scheme string, addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return scheme + "://" + addr.String()
	}
	ip := tcp.IP
	if ip == nil || ip.IsUnspecified() {
		ip = net.IPv4(127, 0, 0, 1)
	}
	return fmt.Sprintf("%s://%s", scheme, net.JoinHostPort(ip.String(), fmt.Sprint(tcp.Port)))
}
