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
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// writeCert writes a self-signed certificate for 127.0.0.1 with the given
// serial number and returns it.
func writeCert(t testing.TB, certFile, keyFile string, serial int64, mtime time.Time) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "gantry test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		certFile: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		keyFile:  pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}),
	}
	for name, data := range files {
		if err := os.WriteFile(name, data, 0o600); err != nil {
			t.Fatal(err)
		}
		// Set the time explicitly: two writes within a coarse file-system
		// clock tick must still look different.
		if err := os.Chtimes(name, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

func TestTLSReload(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	now := time.Now()
	first := writeCert(t, certFile, keyFile, 1, now)
	a := newTestApp(t, nil, []string{"-tls-cert-file=" + certFile, "-tls-key-file=" + keyFile})
	a.tlsEvery = 0 // check the files on every handshake
	a.HTTP().HandleFunc("GET /ping", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("pong")) })
	start(t, a)

	pool := x509.NewCertPool()
	pool.AddCert(first)
	serial := func() (int64, error) {
		c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, DisableKeepAlives: true}}
		resp, err := c.Get("https://" + a.HTTPAddr() + "/ping")
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
		return resp.TLS.PeerCertificates[0].SerialNumber.Int64(), nil
	}
	if got, err := serial(); err != nil || got != 1 {
		t.Fatalf("first certificate: got serial %d, err %v; want 1", got, err)
	}

	second := writeCert(t, certFile, keyFile, 2, now.Add(time.Hour))
	pool.AddCert(second)
	if got, err := serial(); err != nil || got != 2 {
		t.Errorf("after renewal: got serial %d, err %v; want 2", got, err)
	}

	// A broken renewal keeps the last good certificate.
	if err := os.WriteFile(keyFile, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := serial(); err != nil || got != 2 {
		t.Errorf("after a broken renewal: got serial %d, err %v; want 2", got, err)
	}
	// Plain HTTP is not served on the TLS listener.
	if resp, err := http.Get("http://" + a.HTTPAddr() + "/ping"); err == nil {
		if resp.StatusCode == 200 {
			t.Errorf("plain HTTP on the TLS listener: got 200, want a refusal")
		}
		resp.Body.Close()
	}
}

func TestTLSBadFilesFailStart(t *testing.T) {
	dir := t.TempDir()
	a := newTestApp(t, nil, []string{"-tls-cert-file=" + filepath.Join(dir, "missing.crt"), "-tls-key-file=" + filepath.Join(dir, "missing.key")})
	if err := a.Run(t.Context()); err == nil {
		t.Errorf("Run with missing TLS files: got nil, want an error")
	}
}

// BenchmarkGetCertificate measures the per-handshake cost of the reloader
// (a lock and a clock read between file checks) beside a fixed certificate.
func BenchmarkGetCertificate(b *testing.B) {
	dir := b.TempDir()
	certFile, keyFile := filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	writeCert(b, certFile, keyFile, 1, time.Now())
	r, err := newCertReloader(certFile, keyFile, time.Second, nil)
	if err != nil {
		b.Fatal(err)
	}
	fixed := r.cert
	cfg := &tls.Config{Certificates: []tls.Certificate{*fixed}}
	b.Run("baseline_fixed", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if c := cfg.Certificates[0]; c.Certificate == nil {
				b.Fatal("no certificate")
			}
		}
	})
	b.Run("reloader", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if c, _ := r.GetCertificate(nil); c == nil {
				b.Fatal("no certificate")
			}
		}
	})
}
