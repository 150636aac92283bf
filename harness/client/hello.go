package client

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
)

// LegacyHello is what the target answered to a TLS 1.1 ClientHello that
// offers every cipher suite a TLS 1.0 or 1.1 server could choose: the
// version and suite of its ServerHello, or the alert it refused with.
type LegacyHello struct {
	// Version and Suite are the ServerHello's (0 when it refused).
	Version, Suite uint16
	// Alert is the refusal's alert description (0 when it chose).
	Alert uint8
}

// Accepted reports whether the server went on with TLS 1.0 or 1.1.
func (h LegacyHello) Accepted() bool {
	return h.Version == 0x0301 || h.Version == 0x0302
}

// ProbeLegacyHello sends the target a TLS 1.1 ClientHello written by hand,
// offering every cipher suite code point of the classic ranges (0x0001 to
// 0x00FF and 0xC001 to 0xC0FF: RSA, DHE, DH, ECDHE, ECDH, PSK, SRP,
// Camellia, ARIA, SEED, 3DES, RC4 ...), and reads the server's first
// record: a ServerHello, whose version says whether TLS 1.0/1.1 is
// allowed, or an alert. Go's TLS client offers only the suites Go
// implements, so a server that allows an old version with a suite Go lacks
// (DHE, say) refuses Go's handshake all the same; this one it cannot. It
// sends no credential and completes no handshake.
func (c *Client) ProbeLegacyHello(ctx context.Context) (LegacyHello, error) {
	raw, pctx, cancel, fail, err := c.dialTarget(ctx, "TLS 1.1 ClientHello to %s")
	if err != nil {
		return LegacyHello{}, err
	}
	defer cancel()
	defer func() { _ = raw.Close() }()
	if deadline, ok := pctx.Deadline(); ok {
		_ = raw.SetDeadline(deadline)
	}
	hello, err := legacyClientHello(c.cfg.BaseURL.Hostname())
	if err != nil {
		return LegacyHello{}, fail(err)
	}
	if _, err := raw.Write(hello); err != nil {
		return LegacyHello{}, fail(err)
	}
	h, err := readServerHello(raw)
	if err != nil {
		return LegacyHello{}, fail(err)
	}
	return h, nil
}

// legacyClientHello is a TLS record holding a ClientHello with
// legacy_version TLS 1.1, the classic cipher suite ranges, and the
// server_name, supported_groups and ec_point_formats extensions (the last
// two so that an ECDHE suite can be chosen).
func legacyClientHello(serverName string) ([]byte, error) {
	var body []byte
	body = binary.BigEndian.AppendUint16(body, 0x0302) // TLS 1.1
	random := make([]byte, 32)
	if _, err := rand.Read(random); err != nil {
		return nil, err
	}
	body = append(body, random...)
	body = append(body, 0) // no session ID
	var suites []byte
	for _, r := range [][2]uint16{{0x0001, 0x00FF}, {0xC001, 0xC0FF}} {
		for id := r[0]; id <= r[1]; id++ {
			suites = binary.BigEndian.AppendUint16(suites, id)
		}
	}
	body = binary.BigEndian.AppendUint16(body, uint16(len(suites))) // #nosec G115 -- 1,020 bytes
	body = append(body, suites...)
	body = append(body, 1, 0) // compression: null only
	var ext []byte
	if serverName != "" && len(serverName) < 256 && net.ParseIP(serverName) == nil {
		name := []byte(serverName)
		var sni []byte
		sni = binary.BigEndian.AppendUint16(sni, uint16(len(name)+3)) // #nosec G115 -- under 256
		sni = append(sni, 0)                                          // host_name
		sni = binary.BigEndian.AppendUint16(sni, uint16(len(name)))   // #nosec G115 -- under 256
		sni = append(sni, name...)
		ext = appendExtension(ext, 0x0000, sni)
	}
	ext = appendExtension(ext, 0x000a, []byte{0, 6, 0, 0x1d, 0, 0x17, 0, 0x18}) // x25519, P-256, P-384
	ext = appendExtension(ext, 0x000b, []byte{1, 0})                            // uncompressed points
	body = binary.BigEndian.AppendUint16(body, uint16(len(ext)))                // #nosec G115 -- a few hundred bytes
	body = append(body, ext...)
	// Under 2 KiB in all: the lengths fit their fields.
	handshake := append([]byte{1, 0}, binary.BigEndian.AppendUint16(nil, uint16(len(body)))...) // #nosec G115 -- under 2 KiB
	handshake = append(handshake, body...)
	record := binary.BigEndian.AppendUint16([]byte{22, 3, 1}, uint16(len(handshake))) // #nosec G115 -- under 2 KiB
	return append(record, handshake...), nil
}

func appendExtension(b []byte, typ uint16, data []byte) []byte {
	b = binary.BigEndian.AppendUint16(b, typ)
	b = binary.BigEndian.AppendUint16(b, uint16(len(data))) // #nosec G115 -- short extensions
	return append(b, data...)
}

// errNotTLS is a first record that is neither a handshake nor an alert.
var errNotTLS = errors.New("the server's first answer is not a TLS ServerHello or alert")

// readServerHello reads the server's answer to the hello: a fatal alert,
// or a ServerHello, which may be split across several handshake records.
// A warning alert (unrecognized_name, which some servers send on an SNI
// they do not know) is no refusal: reading goes on.
func readServerHello(r io.Reader) (LegacyHello, error) {
	var hs []byte
	for range 16 {
		typ, body, err := readRecord(r)
		if err != nil {
			return LegacyHello{}, err
		}
		switch typ {
		case 21: // alert: level, description
			if len(body) < 2 {
				return LegacyHello{}, errNotTLS
			}
			if body[0] == 2 { // fatal
				return LegacyHello{Alert: body[1]}, nil
			}
		case 22: // handshake: type(1) length(3) version(2) random(32) session_id_len(1) ...
			hs = append(hs, body...)
			if len(hs) > 0 && hs[0] != 2 {
				return LegacyHello{}, errNotTLS
			}
			if len(hs) >= 39 && len(hs) >= 41+int(hs[38]) {
				at := 39 + int(hs[38])
				return LegacyHello{Version: binary.BigEndian.Uint16(hs[4:6]), Suite: binary.BigEndian.Uint16(hs[at : at+2])}, nil
			}
		default:
			return LegacyHello{}, errNotTLS
		}
	}
	return LegacyHello{}, errNotTLS
}

// readRecord reads one TLS record: its type and its body.
func readRecord(r io.Reader) (byte, []byte, error) {
	head := make([]byte, 5)
	if _, err := io.ReadFull(r, head); err != nil {
		return 0, nil, fmt.Errorf("read the answer: %w", err)
	}
	n := int(binary.BigEndian.Uint16(head[3:5]))
	if n == 0 || n > 1<<14+2048 {
		return 0, nil, errNotTLS
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		return 0, nil, fmt.Errorf("read the answer: %w", err)
	}
	return head[0], body, nil
}
