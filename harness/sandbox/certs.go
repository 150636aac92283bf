package sandbox

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/winston-conformance/winston-conformance/harness/evidence"
)

// certValidity is how long the generated leaf stays valid. A sandbox that
// runs for weeks is not a use case; a fresh start makes new certificates.
const certValidity = 30 * 24 * time.Hour

// otherHostName is the only name of the leaf with fault tls-wrong-host-cert,
// and otherHostIP its only address (TEST-NET-1): a certificate for another
// host by name and address, so that naming the sandbox by its address is
// no excuse.
const otherHostName = "not-this-host.invalid"

var otherHostIP = net.IPv4(192, 0, 2, 254)

// pki is the certificate material of one sandbox run: a private CA, made
// at start, and a leaf it signed for the loopback names.
type pki struct {
	caCert *x509.Certificate
	caPEM  []byte
	pool   *x509.CertPool
	leaf   tls.Certificate
}

// newPKI makes a CA and a leaf for 127.0.0.1, ::1 and localhost. Validity
// uses the wall clock (now), not the sandbox's fixed clock: a client
// verifies against its own clock. With expired set, the leaf expired an
// hour ago (fault tls-expired-cert) while the CA stays valid, so the only
// thing wrong is the expiry.
//
// ECDSA P-256 is enough even for fault tls-allow-old: Go's TLS 1.0/1.1
// server negotiates ECDHE-ECDSA-AES-CBC-SHA suites with an ECDSA key, and
// an explicit MinVersion needs no GODEBUG setting.
//
// With otherHost set, the leaf names only otherHostName and otherHostIP
// (fault tls-wrong-host-cert): it verifies, is in date, and is for another
// host. With namesOnly, it names localhost and no address (fault
// tls-cert-names-only).
func newPKI(now time.Time, expired, otherHost, namesOnly bool) (*pki, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate CA key: %w", err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: evidence.SandboxCAName, Organization: []string{"winston-conformance sandbox"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(certValidity),
		IsCA:                  true,
		BasicConstraintsValid: true,
		MaxPathLenZero:        true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
	}
	if expired {
		// The CA must cover the leaf's earlier validity period too.
		caTmpl.NotBefore = now.Add(-certValidity - 2*time.Hour)
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("create CA certificate: %w", err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, fmt.Errorf("parse CA certificate: %w", err)
	}

	leafKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate server key: %w", err)
	}
	leafTmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: "localhost", Organization: []string{"winston-conformance sandbox"}},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(certValidity),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if otherHost {
		leafTmpl.Subject.CommonName = otherHostName
		leafTmpl.DNSNames, leafTmpl.IPAddresses = []string{otherHostName}, []net.IP{otherHostIP}
	}
	if namesOnly {
		// Fault tls-cert-names-only: localhost alone, no address.
		leafTmpl.IPAddresses = nil
	}
	if expired {
		leafTmpl.NotBefore = now.Add(-certValidity - time.Hour)
		leafTmpl.NotAfter = now.Add(-time.Hour)
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, caCert, &leafKey.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("create server certificate: %w", err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(caCert)
	return &pki{
		caCert: caCert,
		caPEM:  pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		pool:   pool,
		leaf:   tls.Certificate{Certificate: [][]byte{leafDER, caDER}, PrivateKey: leafKey},
	}, nil
}

// serial returns a random 127-bit serial number; crypto/rand does not fail
// on the platforms Go supports, and a zero serial would still be accepted.
func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil || n.Sign() == 0 {
		return big.NewInt(1)
	}
	return n
}

// tlsOld is how the HTTPS listener meets a TLS 1.0 or 1.1 handshake.
type tlsOld int

const (
	// oldRefused refuses it with a protocol_version alert (Go's way, and
	// OpenSSL's).
	oldRefused tlsOld = iota
	// oldAllowed completes it (fault tls-allow-old).
	oldAllowed
	// oldHandshakeFailure refuses it with a handshake_failure alert, as
	// some load balancers do, while TLS 1.2 still takes the CBC suites
	// TLS 1.0 could have used (variant correct-tls-old-handshake-failure).
	oldHandshakeFailure
	// oldAEADOnly offers AEAD suites alone at every version, which TLS
	// 1.0 and 1.1 cannot use, so their handshakes end in handshake_failure
	// (variant correct-tls-aead-only).
	oldAEADOnly
)

// aeadSuites are the TLS 1.2 suites that TLS 1.0 and 1.1 cannot use.
var aeadSuites = []uint16{
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
}

// tlsConfig is the HTTPS listener's configuration: TLS 1.2 or newer, with
// old versions met as old says. HTTP/1.1 only: the suite compares bytes,
// and one protocol keeps recordings simple.
func (p *pki) tlsConfig(old tlsOld) *tls.Config {
	cfg := &tls.Config{
		Certificates: []tls.Certificate{p.leaf},
		MinVersion:   tls.VersionTLS12,
		NextProtos:   []string{"http/1.1"},
	}
	switch old {
	case oldAllowed:
		cfg.MinVersion = tls.VersionTLS10 //nolint:gosec // fault tls-allow-old is insecure on purpose
	case oldAEADOnly:
		// Old versions get as far as choosing a suite, and find none.
		cfg.MinVersion = tls.VersionTLS10 //nolint:gosec // no suite TLS 1.0 can use is offered
		cfg.CipherSuites = aeadSuites
	case oldHandshakeFailure:
		cfg.MinVersion = tls.VersionTLS10 //nolint:gosec // an old hello is given AEAD suites alone, which it cannot use
		modern := cfg.Clone()
		oldOnly := cfg.Clone()
		oldOnly.CipherSuites = aeadSuites
		cfg.GetConfigForClient = func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
			for _, v := range hello.SupportedVersions {
				if v >= tls.VersionTLS12 {
					return modern, nil
				}
			}
			return oldOnly, nil
		}
	}
	return cfg
}

// writeCA writes the CA certificate as PEM. The directory is not created:
// a path in a missing directory is most likely a typo, and the error says
// which path to fix.
func (p *pki) writeCA(path string) error {
	if err := os.WriteFile(path, p.caPEM, 0o644); err != nil { //nolint:gosec // a CA certificate is public
		return fmt.Errorf("write the CA certificate to %s: %w (choose a writable file in an existing directory, e.g. --ca-out %s)",
			path, err, filepath.Join(os.TempDir(), "winston-sandbox-ca.pem"))
	}
	return nil
}
