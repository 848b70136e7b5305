package browsertest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// testCert is a self-signed certificate for 127.0.0.1 and localhost, made
// by the test, and the flag that makes Chromium trust it.
type testCert struct {
	tls  tls.Certificate
	spki string // base64 of the SHA-256 of its SubjectPublicKeyInfo
}

// newCert makes a self-signed ECDSA P-256 certificate, valid for an hour,
// for the hosts 127.0.0.1 and localhost.
func newCert(t *testing.T) *testCert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "cookiesession browser test"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(cert.RawSubjectPublicKeyInfo)
	return &testCert{
		tls:  tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert},
		spki: base64.StdEncoding.EncodeToString(sum[:]),
	}
}

// trust returns the Chromium flag that accepts this certificate, and no
// other invalid one: Chromium treats a server presenting it as a valid
// HTTPS origin (a secure context, where Secure cookies are kept).
func (c *testCert) trust() chromedp.ExecAllocatorOption {
	return chromedp.Flag("ignore-certificate-errors-spki-list", c.spki)
}

// serveTLS serves h over HTTPS with the certificate on 127.0.0.1 until the
// test ends, and returns the base URL with the host given ("127.0.0.1" or
// "localhost": two different sites to the browser).
func serveTLS(t *testing.T, cert *testCert, host string, h http.Handler) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert.tls}, MinVersion: tls.VersionTLS12}
	srv.Config.ReadHeaderTimeout = 10 * time.Second
	srv.StartTLS()
	t.Cleanup(srv.Close)
	_, port, err := net.SplitHostPort(srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	return "https://" + net.JoinHostPort(host, port)
}
