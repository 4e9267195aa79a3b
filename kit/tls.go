package kit

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"
)

// certReloader serves a certificate from files and rereads them when their
// size or modification time changes, checking at most once per interval,
// so that a renewed certificate (cert-manager, certbot) is used without a
// restart. A renewal that fails to load is logged and the old certificate
// kept. With a client CA file (mTLS) it rereads that bundle the same way.
type certReloader struct {
	certFile, keyFile string
	caFile            string // client CAs; empty: no client certificates asked
	every             time.Duration
	log               *slog.Logger

	mu      sync.Mutex
	cert    *tls.Certificate
	stamp   [3]fileStamp // cert, key, client CA
	checked time.Time
	conf    *tls.Config // with the current client CAs, for GetConfigForClient
}

// newServerTLS returns the service listener's TLS settings: the reloaded
// certificate and, when c.ClientCAFile is set, client certificates required
// and verified against that reloaded bundle (RequireAndVerifyClientCert).
func newServerTLS(c TLSConfig, every time.Duration, log *slog.Logger) (*tls.Config, error) {
	r, err := newCertReloader(c.CertFile, c.KeyFile, every, log)
	if err != nil {
		return nil, err
	}
	base := &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: r.GetCertificate}
	if c.ClientCAFile == "" {
		return base, nil
	}
	r.caFile = c.ClientCAFile
	st, err := r.stat()
	if err != nil {
		return nil, err
	}
	pool, err := loadCAs(r.caFile)
	if err != nil {
		return nil, err
	}
	r.stamp[2] = st[2]
	r.conf = withClientCAs(base, pool)
	outer := withClientCAs(base, pool)
	outer.GetConfigForClient = r.GetConfigForClient
	return outer, nil
}

// withClientCAs is a copy of base that requires client certificates
// signed by pool. It offers h2 and http/1.1, as http.Server would: a
// config returned by GetConfigForClient replaces the server's own.
func withClientCAs(base *tls.Config, pool *x509.CertPool) *tls.Config {
	c := base.Clone()
	c.ClientAuth, c.ClientCAs = tls.RequireAndVerifyClientCert, pool
	c.NextProtos = []string{"h2", "http/1.1"}
	return c
}

func loadCAs(file string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("kit: tls: client_ca_file: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("kit: tls: client_ca_file %s: no PEM certificate in it", file)
	}
	return pool, nil
}

// GetConfigForClient is the tls.Config hook of a listener with client
// CAs: the settings with the current bundle, reread first if a file
// changed and the check interval has passed.
func (r *certReloader) GetConfigForClient(*tls.ClientHelloInfo) (*tls.Config, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.check()
	return r.conf, nil
}

type fileStamp struct {
	mod  time.Time
	size int64
}

func (s fileStamp) same(o fileStamp) bool { return s.mod.Equal(o.mod) && s.size == o.size }

func newCertReloader(certFile, keyFile string, every time.Duration, log *slog.Logger) (*certReloader, error) {
	r := &certReloader{certFile: certFile, keyFile: keyFile, every: every, log: log}
	st, err := r.stat()
	if err != nil {
		return nil, err
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("kit: tls: %w", err)
	}
	r.cert, r.stamp, r.checked = &cert, st, time.Now()
	return r, nil
}

func (r *certReloader) stat() ([3]fileStamp, error) {
	var st [3]fileStamp
	for i, name := range []string{r.certFile, r.keyFile, r.caFile} {
		if name == "" {
			continue
		}
		fi, err := os.Stat(name)
		if err != nil {
			return st, fmt.Errorf("kit: tls: %w", err)
		}
		st[i] = fileStamp{fi.ModTime(), fi.Size()}
	}
	return st, nil
}

// GetCertificate is the tls.Config hook: the current certificate, reread
// first if the files changed and the check interval has passed.
func (r *certReloader) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.check()
	return r.cert, nil
}

// check rereads changed files once the interval has passed; r.mu is held.
func (r *certReloader) check() {
	if now := time.Now(); now.Sub(r.checked) >= r.every {
		r.checked = now
		r.reload()
	}
}

func (r *certReloader) reload() {
	st, err := r.stat()
	if err != nil {
		r.log.Warn("tls: keeping the current certificate and client CAs", "error", err)
		return
	}
	if r.caFile != "" && !st[2].same(r.stamp[2]) {
		r.stamp[2] = st[2]
		if pool, err := loadCAs(r.caFile); err != nil {
			r.log.Warn("tls: keeping the current client CAs", "error", err)
		} else {
			r.conf = withClientCAs(r.conf, pool)
			r.log.Info("tls: client CAs reloaded", "client_ca_file", r.caFile)
		}
	}
	if st[0].same(r.stamp[0]) && st[1].same(r.stamp[1]) {
		return
	}
	r.stamp[0], r.stamp[1] = st[0], st[1]
	cert, err := tls.LoadX509KeyPair(r.certFile, r.keyFile)
	if err != nil {
		r.log.Warn("tls: keeping the current certificate", "error", err)
		return
	}
	r.cert = &cert
	r.log.Info("tls: certificate reloaded", "cert_file", r.certFile)
}
