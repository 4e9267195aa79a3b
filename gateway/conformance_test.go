package gateway_test

import (
	"io"
	"log/slog"
	"net"
	"sync"
	"testing"

	"github.com/gantrykit/gantry/gateway"
	"github.com/gantrykit/gantry/gateway/internal/conformance"
	"github.com/gantrykit/gantry/internal/fulltest"
)

// TestConformance runs the conformance and smuggling suite (raw bytes
// over sockets, see gateway/internal/conformance) against the net/http
// front as the command serves it, against the fast lane, and against
// Debian's nginx as the reference when it is installed (CI
// installs it and requires it).
//
// Each front has its own upstreams and, on each, the vectors run one
// after another. The suite mostly waits (for answers, and for what the
// upstreams receive), so the fronts run at once, as subtests started
// together within this one parallel test.
func TestConformance(t *testing.T) {
	t.Parallel()
	fronts := []conformance.Front{
		{Name: "nethttp", Start: func(t testing.TB, up conformance.Upstreams) string { return startFront(t, up, false) }},
		{Name: "lane", Start: func(t testing.TB, up conformance.Upstreams) string { return startFront(t, up, true) }},
		conformance.Nginx(),
	}
	var wg sync.WaitGroup
	for _, f := range fronts {
		wg.Go(func() {
			t.Run(f.Name, func(t *testing.T) {
				if f.Reference {
					fulltest.Require(t, "runs the suite against nginx, the reference front")
				}
				conformance.Run(t, f)
			})
		})
	}
	wg.Wait()
}

// TestCrossTalk: two clients on keep-alive connections at once, through
// upstreams that send more than they frame; each must get only its own
// answers.
func TestCrossTalk(t *testing.T) {
	for _, lane := range []bool{false, true} {
		name := "nethttp"
		if lane {
			name = "lane"
		}
		t.Run(name, func(t *testing.T) {
			conformance.RunCrossTalk(t, conformance.Front{Name: name, Start: func(t testing.TB, up conformance.Upstreams) string {
				return startFront(t, up, lane)
			}})
		})
	}
}

// startFront serves a gateway with the suite's routes on loopback as the
// command does: net/http behind NewListener, with the fast lane in front
// when lane is set.
func startFront(t testing.TB, up conformance.Upstreams, lane bool) string {
	t.Helper()
	cfg, err := gateway.ParseConfig([]byte(conformance.GatewayRoutes(up)))
	if err != nil {
		t.Fatal(err)
	}
	getenv := func(k string) string {
		if k == conformance.JWTSecretEnv {
			return conformance.JWTSecret
		}
		return ""
	}
	gw, err := gateway.New(cfg, gateway.WithGetenv(getenv))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var front net.Listener = ln
	var fp *gateway.FastPath
	if lane {
		fp = gateway.NewFastPath(ln, func() *gateway.Gateway { return gw }, cfg.Server, nil)
		front = fp
	}
	srv := gateway.NewServer(gw, cfg.Server, slog.New(slog.NewTextHandler(io.Discard, nil)))
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(gateway.NewListener(front, 0)) }()
	t.Cleanup(func() {
		_ = srv.Close()
		<-done
		if fp != nil {
			_ = fp.Close()
		}
		_ = gw.Close()
	})
	return ln.Addr().String()
}
