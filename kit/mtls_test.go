package kit

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testCA is a certificate authority made for one test.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

func newTestCA(t *testing.T, name string) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(100), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &testCA{cert: cert, key: key}
}

// write writes the CA's certificate as a PEM bundle with the given
// modification time.
func (ca *testCA) write(t *testing.T, file string, mtime time.Time) {
	t.Helper()
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.cert.Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(file, mtime, mtime); err != nil {
		t.Fatal(err)
	}
}

// client returns a client certificate signed by the CA (or self-signed
// when ca is nil).
func (ca *testCA) client(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "orders"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	parent, signer := tmpl, any(key)
	if ca != nil {
		parent, signer = ca.cert, ca.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, signer)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// TestMutualTLS: with tls.client_ca_file set, the service listener serves
// only clients that present a certificate the bundle signed, and a new
// bundle on disk replaces the old one without a restart.
func TestMutualTLS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, caFile := filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key"), filepath.Join(dir, "ca.crt")
	now := time.Now()
	server := writeCert(t, certFile, keyFile, 1, now)
	ca1, ca2 := newTestCA(t, "ca one"), newTestCA(t, "ca two")
	ca1.write(t, caFile, now)
	a := newTestApp(t, nil, []string{"-tls-cert-file=" + certFile, "-tls-key-file=" + keyFile, "-tls-client-ca-file=" + caFile})
	a.tlsEvery = 0 // check the files on every handshake
	a.HTTP().HandleFunc("GET /ping", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("pong")) })
	start(t, a)

	roots := x509.NewCertPool()
	roots.AddCert(server)
	get := func(certs ...tls.Certificate) (string, error) {
		tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, Certificates: certs}, ForceAttemptHTTP2: true, DisableKeepAlives: true}
		defer tr.CloseIdleConnections()
		resp, err := (&http.Client{Transport: tr}).Get("https://" + a.HTTPAddr() + "/ping")
		if err != nil {
			return "", err
		}
		resp.Body.Close()
		return resp.Proto, nil
	}

	signed1, signed2, self := ca1.client(t), ca2.client(t), (*testCA)(nil).client(t)
	if _, err := get(); err == nil {
		t.Errorf("client without a certificate: got served, want refused")
	}
	if _, err := get(self); err == nil {
		t.Errorf("client with a self-signed certificate: got served, want refused")
	}
	if _, err := get(signed2); err == nil {
		t.Errorf("client signed by another CA: got served, want refused")
	}
	if proto, err := get(signed1); err != nil || proto != "HTTP/2.0" {
		t.Errorf("client signed by the CA: got %q, %v; want served over HTTP/2.0", proto, err)
	}

	ca2.write(t, caFile, now.Add(time.Hour)) // the bundle is replaced
	if _, err := get(signed2); err != nil {
		t.Errorf("client of the new CA after reload: got %v, want served", err)
	}
	if _, err := get(signed1); err == nil {
		t.Errorf("client of the old CA after reload: got served, want refused")
	}

	// A broken bundle keeps the last good one.
	if err := os.WriteFile(caFile, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(caFile, now.Add(2*time.Hour), now.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := get(signed2); err != nil {
		t.Errorf("after a broken bundle: got %v, want the last good bundle to serve", err)
	}
}

func TestMutualTLSBadConfig(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, caFile := filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key"), filepath.Join(dir, "ca.crt")
	writeCert(t, certFile, keyFile, 1, time.Now())
	if err := os.WriteFile(caFile, []byte("no PEM here"), 0o600); err != nil {
		t.Fatal(err)
	}
	a := newTestApp(t, nil, []string{"-tls-cert-file=" + certFile, "-tls-key-file=" + keyFile, "-tls-client-ca-file=" + caFile})
	if err := a.Run(t.Context()); err == nil || !strings.Contains(err.Error(), "client_ca_file") {
		t.Errorf("Run with a CA file holding no certificate: got %v, want an error naming client_ca_file", err)
	}

	c := DefaultConfig()
	c.TLS.ClientCAFile = caFile
	if err := c.Validate(); err == nil {
		t.Errorf("client_ca_file without cert_file: got nil, want an error")
	}
}
