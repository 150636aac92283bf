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
	srv := quietServer(http.HandlerFunc(ok))
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
// when the server resets the stream after reading it: Go's HTTP/2
// transport would otherwise resend it below the client, uncounted, until
// the timeout (775 orders in one call, as a review measured).
func TestAnOrderIsNeverResentBelowTheClient(t *testing.T) {
	srv, arrived := resettingH2(t)
	c := liveClient(t, srv, map[string]string{config.EnvRetries: "2", config.EnvAllowMutations: "true"})
	resp := c.Post(context.Background(), "/api/v2/tables/order", map[string]any{"number": 12}, WithMutation())
	if n := arrived.Load(); n != 1 || resp.Err == nil {
		t.Errorf("one create-order call reached the server %d times (err %v, %d retries counted); want once, and the reset reported", n, resp.Err, resp.Exchange.Retries)
	}
}
