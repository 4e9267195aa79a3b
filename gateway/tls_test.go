package gateway_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gantrykit/gantry/gateway"
	"github.com/gantrykit/gantry/internal/fulltest"
)

// selfSigned writes a self-signed ECDSA P-256 certificate for 127.0.0.1
// and its key into dir, and returns the file names and a client TLS config
// that trusts the certificate.
func selfSigned(t testing.TB, dir string) (certFile, keyFile string, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "gateway test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	for name, data := range map[string][]byte{
		certFile: pemBlock("CERTIFICATE", der),
		keyFile:  pemBlock("PRIVATE KEY", kder),
	} {
		if err := os.WriteFile(name, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, &tls.Config{RootCAs: pool}
}

func pemBlock(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

// tlsClient returns a client trusting cfg's roots, speaking HTTP/2 when h2
// and HTTP/1.1 only otherwise. Its idle connections close with the test.
func tlsClient(t testing.TB, cfg *tls.Config, h2 bool) *http.Client {
	t.Helper()
	tr := &http.Transport{TLSClientConfig: cfg.Clone(), ForceAttemptHTTP2: h2}
	if !h2 {
		tr.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{} // no h2
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// getEcho GETs url with c and decodes the backend's echo.
func getEcho(t testing.TB, c *http.Client, url string) (*http.Response, echo) {
	t.Helper()
	res, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("GET %s: reading body: %v", url, err)
	}
	var e echo
	if res.StatusCode == http.StatusOK {
		if err := json.Unmarshal(raw, &e); err != nil {
			t.Fatalf("GET %s: echo %q: %v", url, raw, err)
		}
	}
	return res, e
}

// TestTLS terminates TLS in a server from NewServer and proxies to a
// plain-HTTP backend: HTTP/2 by ALPN (and HTTP/1.1 for clients without
// it), the upstream told the client's scheme was https, and a cleartext
// request to the TLS port refused before it reaches any route.
func TestTLS(t *testing.T) {
	certFile, keyFile, clientTLS := selfSigned(t, t.TempDir())
	b := newBackend(t, "b")
	cfg, err := gateway.ParseConfig([]byte(replace(`
server: {listen: "127.0.0.1:0", tls_cert: "CERT", tls_key: "KEY"}
services: {b: {urls: ["URL"], forwarded: true}}
routes: [{name: api, prefix: /api, service: b, strip_prefix: true}]
`, "CERT", certFile, "KEY", keyFile, "URL", b.URL)))
	if err != nil {
		t.Fatalf("ParseConfig: %v", err)
	}
	gw, err := gateway.New(cfg, gateway.WithGetenv(testEnv))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	defer gw.Close()
	srv := gateway.NewServer(gw, cfg.Server, nil)
	ln, err := net.Listen("tcp", cfg.Server.Listen)
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.ServeTLS(ln, cfg.Server.TLSCert, cfg.Server.TLSKey) }()
	defer func() {
		if err := srv.Shutdown(context.Background()); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-served; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("ServeTLS returned %v, want %v", err, http.ErrServerClosed)
		}
	}()
	addr := ln.Addr().String()

	for _, tt := range []struct {
		name      string
		h2        bool
		wantMajor int
		wantALPN  string
	}{{"HTTP/2", true, 2, "h2"}, {"HTTP/1.1", false, 1, ""}} {
		t.Run(tt.name, func(t *testing.T) {
			res, e := getEcho(t, tlsClient(t, clientTLS, tt.h2), "https://"+addr+"/api/x")
			if res.StatusCode != http.StatusOK {
				t.Fatalf("status = %d, want 200", res.StatusCode)
			}
			if res.ProtoMajor != tt.wantMajor {
				t.Errorf("protocol = %s, want major version %d", res.Proto, tt.wantMajor)
			}
			if res.TLS == nil {
				t.Errorf("response without TLS state")
			} else if res.TLS.NegotiatedProtocol != tt.wantALPN {
				t.Errorf("ALPN protocol = %q, want %q", res.TLS.NegotiatedProtocol, tt.wantALPN)
			}
			if e.Name != "b" || e.Path != "/x" {
				t.Errorf("backend saw %q %q, want b /x", e.Name, e.Path)
			}
			if got := e.Header.Get("X-Forwarded-Proto"); got != "https" {
				t.Errorf("X-Forwarded-Proto = %q, want https", got)
			}
			if got := e.Header.Get("Forwarded"); !strings.HasSuffix(got, ";proto=https") {
				t.Errorf("Forwarded = %q, want proto=https", got)
			}
			if got := e.Header.Get("X-Forwarded-Host"); got != addr {
				t.Errorf("X-Forwarded-Host = %q, want %s", got, addr)
			}
		})
	}

	t.Run("cleartext to the TLS port", func(t *testing.T) {
		before := b.hits.Load()
		tr := &http.Transport{DisableKeepAlives: true}
		defer tr.CloseIdleConnections()
		res, err := (&http.Client{Transport: tr}).Get("http://" + addr + "/api/x")
		if err == nil {
			res.Body.Close()
			if res.StatusCode != http.StatusBadRequest {
				t.Errorf("status = %d, want 400 (or a failed request)", res.StatusCode)
			}
		}
		if n := b.hits.Load() - before; n != 0 {
			t.Errorf("backend got %d requests, want 0", n)
		}
	})
}

// TestTLSCommand builds gateway/cmd/gateway and runs it with a route file
// whose server: section names the certificate: the command hands it to the
// kit runtime, which serves HTTPS (HTTP/2 by ALPN) on the listen address.
func TestTLSCommand(t *testing.T) {
	fulltest.Require(t, "builds and runs the gateway command")
	dir := t.TempDir()
	bin := filepath.Join(dir, "gateway")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/gateway").CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/gateway: %v\n%s", err, out)
	}
	certFile, keyFile, clientTLS := selfSigned(t, dir)
	b := newBackend(t, "b")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // the command listens here; a stranger taking it fails the wait below
	routes := filepath.Join(dir, "routes.yaml")
	yaml := replace(`
server: {listen: "ADDR", tls_cert: "CERT", tls_key: "KEY"}
services: {b: {urls: ["URL"]}}
routes: [{name: api, prefix: /api, service: b, strip_prefix: true}]
`, "ADDR", addr, "CERT", certFile, "KEY", keyFile, "URL", b.URL)
	if err := os.WriteFile(routes, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(bin, "-config", routes, "-admin-addr", "127.0.0.1:0", "-drain-delay=0", "-log-level=warn")
	cmd.Env = []string{} // no GANTRY_* or OTEL_* from the test's environment
	var stderr strings.Builder
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stopped := false
	defer func() {
		if !stopped {
			_ = cmd.Process.Kill() // our own child, by its handle
			<-exited
		}
	}()

	client := tlsClient(t, clientTLS, true)
	url := "https://" + addr + "/api/x"
	var res *http.Response
	for deadline := time.Now().Add(60 * time.Second); ; {
		select {
		case err := <-exited:
			stopped = true
			t.Fatalf("command exited before serving: %v\n%s", err, stderr.String())
		default:
		}
		if res, err = client.Get(url); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s: %v after 60s\n%s", url, err, stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	var e echo
	if res.StatusCode != http.StatusOK || json.Unmarshal(raw, &e) != nil {
		t.Fatalf("GET %s = %d %s, want 200 with the backend's echo", url, res.StatusCode, raw)
	}
	if res.ProtoMajor != 2 {
		t.Errorf("protocol = %s, want HTTP/2", res.Proto)
	}
	if e.Path != "/x" || e.Header.Get("X-Forwarded-Proto") != "https" {
		t.Errorf("backend saw path %q, X-Forwarded-Proto %q; want /x, https", e.Path, e.Header.Get("X-Forwarded-Proto"))
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	stopped = true
	if err := <-exited; err != nil {
		t.Errorf("command after SIGTERM: %v, want exit status 0\n%s", err, stderr.String())
	}
}
