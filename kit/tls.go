package kit

import (
	"crypto/tls"
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
// kept.
type certReloader struct {
	certFile, keyFile string
	every             time.Duration
	log               *slog.Logger

	mu      sync.Mutex
	cert    *tls.Certificate
	stamp   [2]fileStamp
	checked time.Time
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

func (r *certReloader) stat() ([2]fileStamp, error) {
	var st [2]fileStamp
	for i, name := range []string{r.certFile, r.keyFile} {
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
	if now := time.Now(); now.Sub(r.checked) >= r.every {
		r.checked = now
		r.reload()
	}
	return r.cert, nil
}

func (r *certReloader) reload() {
	st, err := r.stat()
	if err != nil {
		r.log.Warn("tls: keeping the current certificate", "error", err)
		return
	}
	if st[0].same(r.stamp[0]) && st[1].same(r.stamp[1]) {
		return
	}
	r.stamp = st
	cert, err := tls.LoadX509KeyPair(r.certFile, r.keyFile)
	if err != nil {
		r.log.Warn("tls: keeping the current certificate", "error", err)
		return
	}
	r.cert = &cert
	r.log.Info("tls: certificate reloaded", "cert_file", r.certFile)
}
