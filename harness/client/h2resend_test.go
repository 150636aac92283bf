package client

import (
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/winston-conformance/winston-conformance/harness/config"
)

// resettingH2 is an HTTP/2 server that reads each request to its end and
// then resets the stream with PROTOCOL_ERROR, a reset after which Go's
// HTTP/2 transport resends a request whose body it can rewind; it counts
// the requests that arrived whole. It speaks just enough HTTP/2 by hand
// (RFC 9113 frames: a 9-byte header, then the payload) for that.
func resettingH2(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	const (
		frameData, frameHeaders, frameRSTStream, frameSettings = 0x0, 0x1, 0x3, 0x4
		flagEndStream, flagAck                                 = 0x1, 0x1
		errProtocol                                            = 0x1
	)
	frame := func(typ, flags byte, stream uint32, payload []byte) []byte {
		f := []byte{byte(len(payload) >> 16), byte(len(payload) >> 8), byte(len(payload)), typ, flags,
			byte(stream >> 24), byte(stream >> 16), byte(stream >> 8), byte(stream)}
		return append(f, payload...)
	}
	var arrived atomic.Int32
	// Over HTTP/1.1 the same failure: the request read whole, then the
	// connection closed without an answer.
	srv := quietServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		arrived.Add(1)
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			_ = conn.Close()
		}
	}))
	srv.EnableHTTP2 = true
	srv.Config.TLSNextProto = map[string]func(*http.Server, *tls.Conn, http.Handler){
		"h2": func(_ *http.Server, c *tls.Conn, _ http.Handler) {
			defer func() { _ = c.Close() }()
			preface := make([]byte, len("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"))
			if _, err := io.ReadFull(c, preface); err != nil {
				return
			}
			if _, err := c.Write(frame(frameSettings, 0, 0, nil)); err != nil {
				return
			}
			head := make([]byte, 9)
			for {
				if _, err := io.ReadFull(c, head); err != nil {
					return
				}
				size := int(head[0])<<16 | int(head[1])<<8 | int(head[2])
				typ, flags := head[3], head[4]
				stream := uint32(head[5]&0x7f)<<24 | uint32(head[6])<<16 | uint32(head[7])<<8 | uint32(head[8])
				if _, err := io.CopyN(io.Discard, c, int64(size)); err != nil {
					return
				}
				var reply []byte
				switch {
				case typ == frameSettings && flags&flagAck == 0:
					reply = frame(frameSettings, flagAck, 0, nil)
				case (typ == frameData || typ == frameHeaders) && flags&flagEndStream != 0:
					arrived.Add(1)
					reply = frame(frameRSTStream, 0, stream, []byte{0, 0, 0, errProtocol})
				}
				if reply != nil {
					if _, err := c.Write(reply); err != nil {
						return
					}
				}
			}
		},
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv, &arrived
}

// An order reaches the server once per send the client decides on, even
// when the server fails it after reading it: Go's HTTP/2 transport would
// otherwise resend it below the client, uncounted, until the timeout (775
// orders in one call, as a review measured), a bodiless one too, and its
// HTTP/1.1 transport would resend a bodiless GET on a reused connection.
func TestAnOrderIsNeverResentBelowTheClient(t *testing.T) {
	srv, arrived := resettingH2(t)
	c := liveClient(t, srv, map[string]string{config.EnvRetries: "2", config.EnvAllowMutations: "true"})
	for _, tc := range []struct {
		name string
		body any
		opts []Option
	}{
		{"POST with a body", map[string]any{"number": 12}, nil},
		{"POST without a body", nil, nil},
		{"GET", nil, []Option{WithMethod(http.MethodGet)}},
		{"DELETE", nil, []Option{WithMethod(http.MethodDelete)}},
	} {
		arrived.Store(0)
		resp := c.Post(context.Background(), "/api/v2/tables/order", tc.body, append(tc.opts, WithMutation())...)
		if n := arrived.Load(); n != 1 || resp.Err == nil {
			t.Errorf("%s: one create-order call reached the server %d times (err %v, %d retries counted); want once, and the failure reported",
				tc.name, n, resp.Err, resp.Exchange.Retries)
		}
	}
}

// A read net/http resends by itself over HTTP/2 is resent no more often
// than WINSTON_RETRIES allows, and each resend is counted: a read with a
// body (net/http rewinds it through GetBody) and a bodiless one (which it
// resends as it is, up to seven times, asking nothing of the client).
func TestAReadIsResentBelowTheClientOnlyAsARetry(t *testing.T) {
	srv, arrived := resettingH2(t)
	c := liveClient(t, srv, map[string]string{config.EnvRetries: "2"})
	for _, tc := range []struct {
		name string
		body any
		opts []Option
	}{
		{"POST with a body", map[string]any{"limit": 5}, nil},
		{"GET", nil, []Option{WithMethod(http.MethodGet)}},
	} {
		arrived.Store(0)
		resp := c.Post(context.Background(), "/api/v2/bills", tc.body, tc.opts...)
		// net/http may rewind the body for a resend it then cannot make
		// (the connection already gone), so a count can exceed the
		// arrivals: never the other way round, and never past
		// WINSTON_RETRIES.
		if n, r := arrived.Load(), int32(resp.Exchange.Retries); n > 3 || r < n-1 || r > 2 || resp.Err == nil {
			t.Errorf("%s: a read reached the server %d times with %d retries counted (err %v); want at most 3, each resend counted, at most 2 counted",
				tc.name, n, r, resp.Err)
		}
	}
}
