package mtls_test

import (
	"crypto/x509"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/gantrykit/gantry/discovery"
	"github.com/gantrykit/gantry/discovery/mtls"
)

func TestMutualTLS(t *testing.T) {
	ca := newPKI(t, "shop")
	srvCert, srvKey := ca.issue("orders", x509.ExtKeyUsageServerAuth)
	cliCert, cliKey := ca.issue("gateway", x509.ExtKeyUsageClientAuth)
	rogue := newPKI(t, "rogue")
	rogueCert, rogueKey := rogue.issue("gateway", x509.ExtKeyUsageClientAuth)

	serverTLS, err := mtls.Config{CAFile: ca.CAFile, CertFile: srvCert, KeyFile: srvKey}.Server()
	if err != nil {
		t.Fatalf("Server: got %v, want nil", err)
	}
	var served atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		_, _ = w.Write([]byte(r.TLS.PeerCertificates[0].Subject.CommonName))
	}))
	srv.TLS = serverTLS
	srv.StartTLS()
	defer srv.Close()

	tests := []struct {
		name   string
		cfg    mtls.Config
		wantOK bool
	}{
		{"client certificate from the CA", mtls.Config{CAFile: ca.CAFile, CertFile: cliCert, KeyFile: cliKey}, true},
		{"server name from the certificate's DNS SAN", mtls.Config{CAFile: ca.CAFile, CertFile: cliCert, KeyFile: cliKey, ServerName: "orders"}, true},
		{"no client certificate", mtls.Config{CAFile: ca.CAFile}, false},
		{"client certificate from another CA", mtls.Config{CAFile: ca.CAFile, CertFile: rogueCert, KeyFile: rogueKey}, false},
		{"server not trusted by the client", mtls.Config{CAFile: rogue.CAFile, CertFile: cliCert, KeyFile: cliKey}, false},
		{"wrong server name", mtls.Config{CAFile: ca.CAFile, CertFile: cliCert, KeyFile: cliKey, ServerName: "payments"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clientTLS, err := tt.cfg.Client()
			if err != nil {
				t.Fatalf("Client: got %v, want nil", err)
			}
			c := &http.Client{Transport: &http.Transport{TLSClientConfig: clientTLS, DisableKeepAlives: true}}
			resp, err := c.Get(srv.URL)
			if err == nil {
				resp.Body.Close()
			}
			if (err == nil) != tt.wantOK {
				t.Fatalf("GET over mTLS: got error %v, want success %v", err, tt.wantOK)
			}
		})
	}
	if got := served.Load(); got != 2 {
		t.Fatalf("requests that reached the handler: got %d, want 2 (only the authenticated clients)", got)
	}
}

func TestConfigErrors(t *testing.T) {
	ca := newPKI(t, "shop")
	cert, key := ca.issue("orders", x509.ExtKeyUsageServerAuth)
	for name, c := range map[string]mtls.Config{
		"no CA":            {CertFile: cert, KeyFile: key},
		"missing CA file":  {CAFile: ca.dir + "/none.pem"},
		"CA file not PEM":  {CAFile: key + ".txt"},
		"cert without key": {CAFile: ca.CAFile, CertFile: cert},
		"key as cert":      {CAFile: ca.CAFile, CertFile: key, KeyFile: key},
	} {
		if _, err := c.Client(); err == nil {
			t.Errorf("%s: Client got nil error, want one", name)
		}
	}
	if _, err := (mtls.Config{CAFile: ca.CAFile}).Server(); err == nil {
		t.Errorf("Server without a certificate: got nil error, want one")
	}
	if _, err := (mtls.Config{CAFile: ca.CAFile, CertFile: cert, KeyFile: key}).Server(); err != nil {
		t.Errorf("Server: got %v, want nil", err)
	}
}

func TestServerName(t *testing.T) {
	tests := []struct {
		inst discovery.Instance
		want string
	}{
		{discovery.Instance{Address: "https://10.0.0.5:8443"}, "10.0.0.5"},
		{discovery.Instance{Address: "10.0.0.5:8443"}, "10.0.0.5"},
		{discovery.Instance{Address: "[fd00::1]:8443"}, "fd00::1"},
		{discovery.Instance{Address: "https://10.0.0.5:8443", Metadata: map[string]string{mtls.MetadataServerName: "orders.shop"}}, "orders.shop"},
	}
	for _, tt := range tests {
		if got := mtls.ServerName(tt.inst); got != tt.want {
			t.Errorf("ServerName(%+v): got %q, want %q", tt.inst, got, tt.want)
		}
	}
}
