package mtls_test

import (
	"crypto/x509"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/gantrykit/gantry/discovery"
	"github.com/gantrykit/gantry/discovery/mtls"
)

// A service that only accepts callers with a certificate from the shop's
// CA, and a caller (here the gateway) that presents one and checks the
// service's certificate against the same CA.
func ExampleConfig() {
	dir, err := os.MkdirTemp("", "mtls-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	ca := newPKIAt(dir, "shop", func(err error) { panic(err) })
	srvCert, srvKey := ca.issue("orders", x509.ExtKeyUsageServerAuth)
	cliCert, cliKey := ca.issue("gateway", x509.ExtKeyUsageClientAuth)

	serverTLS, err := mtls.Config{CAFile: ca.CAFile, CertFile: srvCert, KeyFile: srvKey}.Server()
	if err != nil {
		panic(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello, %s", r.TLS.PeerCertificates[0].Subject.CommonName)
	}))
	srv.TLS = serverTLS
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake below
	srv.StartTLS()
	defer srv.Close()

	get := func(cfg mtls.Config) {
		clientTLS, err := cfg.Client()
		if err != nil {
			panic(err)
		}
		c := &http.Client{Transport: &http.Transport{TLSClientConfig: clientTLS, DisableKeepAlives: true}}
		res, err := c.Get(srv.URL)
		if err != nil {
			fmt.Println("refused")
			return
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		fmt.Println(string(body))
	}
	get(mtls.Config{CAFile: ca.CAFile, CertFile: cliCert, KeyFile: cliKey}) // the gateway's certificate
	get(mtls.Config{CAFile: ca.CAFile})                                     // no certificate
	// Output:
	// hello, gateway
	// refused
}

// The name a client verifies on an instance's certificate comes from its
// discovery metadata when the address alone does not carry it.
func ExampleServerName() {
	fmt.Println(mtls.ServerName(discovery.Instance{Address: "https://orders.internal:8443"}))
	fmt.Println(mtls.ServerName(discovery.Instance{
		Address:  "10.0.0.7:8443",
		Metadata: map[string]string{mtls.MetadataServerName: "orders.shop.svc"},
	}))
	// Output:
	// orders.internal
	// orders.shop.svc
}
