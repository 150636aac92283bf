package client

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"syscall"
	"testing"

	"github.com/winston-conformance/winston-conformance/harness/config"
)

// A TLS probe's handshake error is an outage by the same test as an
// exchange's (unavailable) while the server has sent nothing; once it has
// answered, only a timeout still is.
func TestHandshakeUnreachableFollowsUnavailable(t *testing.T) {
	reset := &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
	for _, c := range []struct {
		what string
		err  error
		read int64
		want bool
	}{
		{"a hang-up before the server hello", io.EOF, 0, true},
		{"a reset before the server hello", reset, 0, true},
		{"a broken pipe before the server hello", fmt.Errorf("write: %w", syscall.EPIPE), 0, true},
		{"a deadline before the server hello", context.DeadlineExceeded, 0, true},
		{"a deadline after the server hello", os.ErrDeadlineExceeded, 120, true},
		{"a hang-up after the server hello", io.EOF, 120, false},
		{"a reset after the server hello", reset, 120, false},
		{"a certificate that does not verify", &x509.UnknownAuthorityError{}, 900, false},
		{"a cancelled run", context.Canceled, 0, false},
		{"a local TLS error", errors.New("tls: no supported versions satisfy MinVersion and MaxVersion"), 0, false},
	} {
		if got := handshakeUnreachable(c.err, c.read); got != c.want {
			t.Errorf("%s (%v, %d bytes read): unreachable %v, want %v", c.what, c.err, c.read, got, c.want)
		}
		if c.read == 0 && handshakeUnreachable(c.err, 0) != unavailable(0, c.err) {
			t.Errorf("%s: a probe and an exchange disagree on whether %v is an outage", c.what, c.err)
		}
	}
}

// A POST written on a kept-alive connection that a stopping server closed
// meanwhile fails with net/http's "server closed idle connection": an
// outage (seen once as a contract violation in the down-mid-run fault).
func TestAServerClosedIdleConnectionIsAnOutage(t *testing.T) {
	err := &url.Error{Op: "Post", URL: "https://127.0.0.1:1/api/v2/tables", Err: errors.New("http: server closed idle connection")}
	if !unavailable(0, err) {
		t.Errorf("%v: want unavailable", err)
	}
	// HTTP/2's forms of a hang-up: a stream the server reset, a GOAWAY,
	// a lost connection.
	for _, text := range []string{
		"stream error: stream ID 1; INTERNAL_ERROR; received from peer",
		"http2: server sent GOAWAY and closed the connection; LastStreamID=1, ErrCode=NO_ERROR, debug=\"\"",
		"http2: client connection lost",
	} {
		if !unavailable(0, &url.Error{Op: "Post", URL: "https://127.0.0.1:1/api/v2/bills", Err: errors.New(text)}) {
			t.Errorf("%q: want unavailable", text)
		}
	}
	if unavailable(0, errors.New("http: server gave HTTP response to HTTPS client")) {
		t.Error("an HTTP answer to the TLS handshake is a setup mistake, not an outage")
	}
}

// Over HTTP/2 (which the client prefers), a server that aborts mid-request
// resets the stream instead of closing the connection: the same hang-up,
// so an outage, as EOF is over HTTP/1.1.
func TestAStreamTheServerResetIsAnOutage(t *testing.T) {
	srv := quietServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) }))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	c := liveClient(t, srv, map[string]string{config.EnvRetries: "0"})
	resp := c.Post(context.Background(), "/api/v2/bills", map[string]any{"limit": 5})
	if resp.Err == nil || !resp.Unavailable() {
		t.Errorf("an aborted HTTP/2 stream: err %v, unavailable %v; want an outage", resp.Err, resp.Unavailable())
	}
}

// A host name that does not exist (a typo in WINSTON_BASE_URL) is a setup
// mistake, not an outage: DNS said no such host, which no waiting mends.
func TestANameThatDoesNotExistIsNoOutage(t *testing.T) {
	notFound := &url.Error{Op: "Post", URL: "https://api-qa.mrwinstn.com/api/v2/bills",
		Err: &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "api-qa.mrwinstn.com", IsNotFound: true}}}
	if unavailable(0, notFound) {
		t.Error("no such host was taken for an outage")
	}
	timeout := &url.Error{Op: "Post", URL: "https://api-qa.mrwinston.com/api/v2/bills",
		Err: &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "i/o timeout", Name: "api-qa.mrwinston.com", IsTimeout: true}}}
	if !unavailable(0, timeout) {
		t.Error("a DNS server that did not answer is an outage")
	}
}
