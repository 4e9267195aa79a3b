package gateway

import (
	"bytes"
	"context"
	"crypto/tls"
	"log/slog"
	"net/http"
	"os"
	"time"
)

// ServerConfig is the client-facing listener: address, TLS termination and
// the limits that protect the gateway from slow or oversized requests.
// NewServer applies it; the command hands it to the kit runtime as flags.
type ServerConfig struct {
	Listen string `yaml:"listen"` // default ":8080"
	// TLSCert and TLSKey are PEM files; both set means HTTPS (and HTTP/2).
	TLSCert string `yaml:"tls_cert"`
	TLSKey  string `yaml:"tls_key"`
	// ReadHeaderTimeout bounds how long a client may take to send headers
	// (slowloris); default 5s.
	ReadHeaderTimeout time.Duration `yaml:"read_header_timeout"`
	// IdleTimeout closes idle keep-alive connections; default 2m.
	IdleTimeout time.Duration `yaml:"idle_timeout"`
	// MaxHeaderBytes caps request line and headers; default 64 KiB. Larger
	// requests get 431.
	MaxHeaderBytes int `yaml:"max_header_bytes"`
	// FastLane makes the command serve plain HTTP/1.1 requests on a
	// cleartext listener through its hand-written fast lane (see
	// FastPath). Off by default: the lane is experimental until it passes
	// the gateway's conformance and smuggling suite; every request is
	// served through net/http.
	FastLane bool `yaml:"fast_lane"`
}

// NewServer returns an http.Server for h configured by c. Body size is
// limited per route; WriteTimeout is left at zero so streams (SSE,
// WebSocket) are bounded by route timeouts instead.
func NewServer(h http.Handler, c ServerConfig, logger *slog.Logger) *http.Server {
	s := &http.Server{
		Addr:              c.Listen,
		Handler:           h,
		ReadHeaderTimeout: c.ReadHeaderTimeout,
		IdleTimeout:       c.IdleTimeout,
		MaxHeaderBytes:    c.MaxHeaderBytes,
	}
	if s.Addr == "" {
		s.Addr = ":8080"
	}
	if s.ReadHeaderTimeout == 0 {
		s.ReadHeaderTimeout = 5 * time.Second
	}
	if s.IdleTimeout == 0 {
		s.IdleTimeout = 2 * time.Minute
	}
	if s.MaxHeaderBytes == 0 {
		s.MaxHeaderBytes = 64 << 10
	}
	if c.TLSCert != "" {
		s.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	if logger != nil {
		s.ErrorLog = slog.NewLogLogger(logger.Handler(), slog.LevelWarn)
	}
	return s
}

// WatchFile polls the config file at path every interval and reloads the
// gateway when its content differs from the running config's, until ctx is
// done. A file that fails to
// load or validate is logged and the running table kept. It returns
// ctx.Err(); run it in a goroutine the caller owns.
func (g *Gateway) WatchFile(ctx context.Context, path string, interval time.Duration) error {
	var last []byte
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
		b, err := os.ReadFile(path)
		if err != nil || bytes.Equal(b, last) {
			continue
		}
		last = b
		if cur := g.config.Load(); cur != nil && bytes.Equal(b, cur.raw) {
			continue // what is running already
		}
		_ = g.ReloadFile(path) // logged; the running table stays on error
	}
}

// ReloadFile loads the config at path and reloads the gateway with it,
// logging the outcome; the command calls it on SIGHUP.
func (g *Gateway) ReloadFile(path string) error {
	cfg, err := LoadConfig(path)
	if err == nil {
		err = g.Reload(cfg)
	}
	if err != nil {
		g.logger.Error("config reload refused, keeping the running table", "path", path, "err", err)
		return err
	}
	g.logger.Info("config reloaded", "path", path, "routes", len(cfg.Routes))
	return nil
}
