package mtls

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"

	"github.com/gantrykit/gantry/discovery"
)

// MetadataServerName is the Instance.Metadata key ServerName reads.
const MetadataServerName = "tls_server_name"

// Config names the PEM files of one side of a mutually authenticated
// connection. CAFile is required by Client and Server; CertFile and
// KeyFile go together and are required by Server.
type Config struct {
	// CAFile is the bundle of CA certificates that sign the peer's
	// certificate: servers' for a client, clients' for a server.
	CAFile string
	// CertFile and KeyFile are this side's certificate chain and key.
	CertFile, KeyFile string
	// ServerName, for a client, is the name the server's certificate must
	// carry (default: the host dialed).
	ServerName string
}

func (c Config) load() (*x509.CertPool, []tls.Certificate, error) {
	if c.CAFile == "" {
		return nil, nil, errors.New("mtls: CAFile is required")
	}
	pem, err := os.ReadFile(c.CAFile)
	if err != nil {
		return nil, nil, fmt.Errorf("mtls: CA bundle: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, nil, fmt.Errorf("mtls: CA bundle %s holds no PEM certificate", c.CAFile)
	}
	if (c.CertFile == "") != (c.KeyFile == "") {
		return nil, nil, errors.New("mtls: CertFile and KeyFile must be set together")
	}
	if c.CertFile == "" {
		return pool, nil, nil
	}
	cert, err := tls.LoadX509KeyPair(c.CertFile, c.KeyFile)
	if err != nil {
		return nil, nil, fmt.Errorf("mtls: certificate: %w", err)
	}
	return pool, []tls.Certificate{cert}, nil
}

// Client returns the TLS settings of a client: trust only CAFile's CAs
// and present CertFile (if set). TLS 1.2 is the minimum.
func (c Config) Client() (*tls.Config, error) {
	pool, certs, err := c.load()
	if err != nil {
		return nil, err
	}
	return &tls.Config{RootCAs: pool, Certificates: certs, ServerName: c.ServerName, MinVersion: tls.VersionTLS12}, nil
}

// Server returns the TLS settings of a server that requires every client
// to present a certificate signed by CAFile's CAs. TLS 1.2 is the minimum.
func (c Config) Server() (*tls.Config, error) {
	pool, certs, err := c.load()
	if err != nil {
		return nil, err
	}
	if len(certs) == 0 {
		return nil, errors.New("mtls: a server needs CertFile and KeyFile")
	}
	return &tls.Config{
		Certificates: certs, ClientCAs: pool, ClientAuth: tls.RequireAndVerifyClientCert, MinVersion: tls.VersionTLS12,
	}, nil
}

// ServerName returns the name to verify on inst's certificate: its
// "tls_server_name" metadata if set, else the host of its Address (a URL
// or host:port).
func ServerName(inst discovery.Instance) string {
	if n := inst.Metadata[MetadataServerName]; n != "" {
		return n
	}
	if u, err := url.Parse(inst.Address); err == nil && u.Host != "" {
		return u.Hostname()
	}
	if host, _, err := net.SplitHostPort(inst.Address); err == nil {
		return host
	}
	return inst.Address
}
