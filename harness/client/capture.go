package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/winston-conformance/winston-conformance/harness/cassette"
	"github.com/winston-conformance/winston-conformance/harness/evidence"
	"github.com/winston-conformance/winston-conformance/harness/redact"
)

// ExcerptLen is the most bytes of a body an Exchange keeps.
const ExcerptLen = 2048

func redactString(s string) string { return redact.Global().String(s) }

func redactErr(err error) error { return redact.Global().Error(err) }

// capture makes the redacted record of one exchange.
func (c *Client) capture(req *http.Request, reqBody []byte, s *settings, resp *Response, retries int) evidence.Exchange {
	e := evidence.Exchange{
		Method:          req.Method,
		URL:             redactString(req.URL.String()),
		AuthShape:       string(s.auth),
		RequestHeaders:  c.headerMap(req.Header, s.auth),
		RequestBody:     redactedExcerpt(reqBody),
		Status:          resp.Status,
		ResponseHeaders: c.headerMap(resp.Header, s.auth),
		ResponseBody:    redactedExcerpt(resp.Body),
		ResponseBytes:   len(resp.Body),
		Latency:         resp.Latency,
		Retries:         retries,
		Note:            redactString(s.note),
		Replayed:        s.replayed,
		Cassette:        redactString(s.cassette),
	}
	if resp.Truncated && !strings.HasSuffix(e.ResponseBody, evidence.CutMark) {
		// Cut at WINSTON_MAX_BODY before the excerpt's own cut: marked
		// all the same.
		e.ResponseBody += evidence.CutMark
	}
	if resp.Truncated {
		// The rest was never read: the announced length if there is
		// one, else at least one byte past the cut.
		e.ResponseBytes++
		if n, err := strconv.Atoi(resp.Header.Get("Content-Length")); err == nil && n > e.ResponseBytes {
			e.ResponseBytes = n
		}
	}
	if s.replayed {
		// Replay reaches no network; a zero latency keeps reports of
		// replayed runs identical.
		e.Latency = 0
	}
	if resp.Err != nil {
		e.Error = redactString(resp.Err.Error())
	}
	e.ReplayMiss = errors.Is(resp.Err, cassette.ErrInteractionMissing) || errors.Is(resp.Err, cassette.ErrCassetteMissing) ||
		errors.Is(resp.Err, cassette.ErrCassetteCorrupt)
	e.Unavailable = !e.ReplayMiss && unavailable(resp.Status, resp.Err)
	return e
}

// headerMap flattens a header for the report, redacted. Several values of
// one header are joined with ", ".
func (c *Client) headerMap(h http.Header, a Auth) map[string]string {
	if len(h) == 0 {
		return nil
	}
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make(map[string]string, len(h))
	for _, k := range keys {
		v := redactString(strings.Join(h[k], ", "))
		if http.CanonicalHeaderKey(k) == "Authorization" {
			v = c.authFallback(v, a)
		}
		out[k] = v
	}
	return out
}

// redactedExcerpt redacts the start of body and cuts it to ExcerptLen.
// Redaction comes first, over a window longer than the excerpt by the
// longest secret, so that a key is never cut in half at the edge where the
// redactor could no longer see it.
func redactedExcerpt(body []byte) string {
	if len(body) == 0 {
		return ""
	}
	// The whole body is redacted before it is cut: a cut through a key
	// (or an escaped form of one, which may be many times its length)
	// leaves a part no redactor knows, and a window cut first would let
	// redaction, which shortens, pull text past the window into view.
	// Bytes never writes to what it is given, so body needs no copy.
	return evidence.MarkedExcerpt(redact.Global().Bytes(body), ExcerptLen)
}

// unavailable says whether an exchange tells nothing about the contract: the
// target could not be reached, reset the connection or timed out, or a
// gateway said it was down. A refused request, an invalid certificate, an
// oversized body or invalid JSON are answers about the target, not outages.
func unavailable(status int, err error) bool {
	switch status {
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	if err == nil {
		return false
	}
	var (
		certErr *tls.CertificateVerificationError
		unknown x509.UnknownAuthorityError
		host    x509.HostnameError
		invalid x509.CertificateInvalidError
		alert   tls.AlertError
		opErr   *net.OpError
		dnsErr  *net.DNSError
	)
	switch {
	case errors.Is(err, ErrTargetUnavailable):
		return true
	case errors.Is(err, ErrCredentialsOverHTTP), errors.Is(err, ErrBodyTooLarge), errors.Is(err, ErrNoSecondKey),
		errors.Is(err, context.Canceled),
		errors.As(err, &certErr), errors.As(err, &unknown), errors.As(err, &host), errors.As(err, &invalid),
		errors.As(err, &alert):
		return false
	case timedOut(err):
		return true
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNABORTED),
		errors.Is(err, syscall.EPIPE), errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return true
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), serverClosedIdle(err), http2Lost(err):
		return true
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		// No such host: a name to correct, not a target to wait for.
		return false
	case errors.As(err, &dnsErr), errors.As(err, &opErr):
		return true
	}
	return false
}

// serverClosedIdle is net/http's error for a request written on a kept-alive
// connection that the server closed meanwhile (a server shutting down):
// the sentinel is unexported, so its text is what can be matched. A POST
// is not retried on it, since it is not idempotent.
func serverClosedIdle(err error) bool {
	return strings.Contains(err.Error(), "http: server closed idle connection")
}

// http2Lost is true for net/http's HTTP/2 errors that say the server reset
// the stream or went away: what EOF or a reset is over HTTP/1.1 (their
// types are unexported, so their text is what can be matched).
func http2Lost(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "stream error: ") && strings.Contains(msg, "received from peer") ||
		strings.Contains(msg, "http2: ") && strings.Contains(msg, "GOAWAY") || strings.Contains(msg, "http2: client connection lost")
}

// TimedOut reports whether err is a timeout (the request's, or the
// connection's): an answer that was slow, which says nothing of what the
// target would have answered.
func TimedOut(err error) bool { return timedOut(err) }

// timedOut reports whether err is a timeout: the context's deadline, a
// connection deadline, or a network error that says it timed out.
func timedOut(err error) bool {
	var netErr net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) ||
		errors.As(err, &netErr) && netErr.Timeout()
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
