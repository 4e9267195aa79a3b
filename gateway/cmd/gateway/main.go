// Command gateway runs Gantry's API gateway from a YAML route table.
//
//	go run ./gateway/cmd/gateway -config routes.yaml [-watch 2s] [kit flags]
//
// -config names the route table (see package gateway; GATEWAY_CONFIG works
// too). It is reloaded on SIGHUP and, with -watch, when the file changes; a
// bad file is logged and the running table kept. The file's server:
// section sets the listener (listen, tls_cert, tls_key, read_header_timeout,
// idle_timeout, max_header_bytes, fast_lane). Every request is served by
// the kit runtime's net/http server; fast_lane: true (cleartext only,
// experimental) puts the gateway's hand-written fast lane in front of it. Every other flag and GANTRY_* variable
// belongs to the kit runtime: -admin-addr (/metrics, /healthz, /readyz),
// -drain-delay, -shutdown-timeout, -log-format and so on; flags given on
// the command line win over the file's server: section.
//
// Services listed without urls are discovered in the NATS key-value
// registry (discovery/natskv) that kit services register in: the gateway
// then connects to GANTRY_NATS_URL, which is required.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/go-kit/kit/sd"

	"github.com/gantrykit/gantry/gateway"
	"github.com/gantrykit/gantry/kit"
	"github.com/gantrykit/gantry/kit/natskit"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Getenv); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Println(err)
			return
		}
		fmt.Fprintln(os.Stderr, "gateway:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string) error {
	path, watch, rest, err := splitArgs(args)
	if err != nil {
		return err
	}
	if path == "" {
		path = getenv("GATEWAY_CONFIG")
	}
	if path == "" {
		return errors.New("-config routes.yaml (or GATEWAY_CONFIG) is required")
	}
	cfg, err := gateway.LoadConfig(path)
	if err != nil {
		return err
	}
	gw := &lazyGateway{}
	var app *kit.App
	kitOpts := []kit.Option{kit.WithArgs(append(serverArgs(cfg.Server), rest...)), kit.WithGetenv(getenv)}
	// On a cleartext listener the gateway's admission sees every
	// connection's bytes (gateway.NewListener); with fast_lane, plain
	// HTTP/1.1 requests are served by the gateway's fast lane and the rest
	// reach the kit server and gw through it.
	kitOpts = append(kitOpts, kit.WithHTTPListener(func(ln net.Listener) net.Listener {
		c := app.Config()
		if cfg.Server.FastLane {
			ln = gateway.NewFastPath(ln, gw.p.Load, gateway.ServerConfig{
				ReadHeaderTimeout: c.ReadHeaderTimeout, IdleTimeout: c.IdleTimeout,
			}, app.Logger())
		}
		return gateway.NewListener(ln, c.MaxHeaderBytes)
	}))
	app = kit.New("gateway", kitOpts...)
	if err := app.Err(); err != nil {
		return err
	}
	opts := []gateway.Option{
		gateway.WithRegisterer(app.Registry()),
		gateway.WithTracerProvider(app.TracerProvider()),
		gateway.WithLogger(app.Logger()),
		gateway.WithGetenv(getenv),
	}
	if discovered(cfg) {
		if getenv("GANTRY_NATS_URL") == "" {
			return errors.New("services without urls are discovered over NATS: set GANTRY_NATS_URL")
		}
		n := natskit.New(app, nil) // never embed a server in the gateway
		resolver := gateway.ResolverFunc(func(service string) (sd.Instancer, error) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			return n.Instancer(ctx, service)
		})
		// The gateway is built once NATS is connected: the hook runs after
		// natskit.New's, and before the service listener serves.
		app.OnStart("gateway", func(ctx context.Context) error {
			g, err := gateway.New(cfg, append(opts, gateway.WithResolver(resolver))...)
			if err != nil {
				return err
			}
			// Serve once discovery has reported: a fresh gateway would
			// otherwise answer 503 until the registry's first sets arrive.
			wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			if err := g.WaitForInstances(wctx); err != nil {
				app.Logger().Warn("serving before discovery reported every service", "err", err)
			}
			gw.p.Store(g)
			return nil
		})
	} else {
		g, err := gateway.New(cfg, opts...)
		if err != nil {
			return err
		}
		gw.p.Store(g)
	}
	app.HTTP().Handle("/", gw)                 // every method, every path no other route takes
	app.HTTP().Handle("GET /openapi.json", gw) // the merged document, not kit's own
	app.Go("reload-on-sighup", func(ctx context.Context) error {
		hup := make(chan os.Signal, 1)
		signal.Notify(hup, syscall.SIGHUP)
		defer signal.Stop(hup)
		for {
			select {
			case <-ctx.Done():
				return nil
			case <-hup:
				if g := gw.p.Load(); g != nil {
					_ = g.ReloadFile(path) // logged; the running table stays on error
				}
			}
		}
	})
	if watch > 0 {
		app.Go("watch-config", func(ctx context.Context) error {
			if g := gw.p.Load(); g != nil {
				_ = g.WatchFile(ctx, path, watch)
			}
			return nil
		})
	}
	app.OnStop("gateway", func(context.Context) error {
		if g := gw.p.Load(); g != nil {
			return g.Close()
		}
		return nil
	})
	return app.Run(ctx)
}

// lazyGateway serves through the gateway once it is built.
type lazyGateway struct {
	p atomic.Pointer[gateway.Gateway]
}

func (l *lazyGateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if g := l.p.Load(); g != nil {
		g.ServeHTTP(w, r)
		return
	}
	w.Header().Set("Retry-After", "1")
	http.Error(w, "gateway starting", http.StatusServiceUnavailable)
}

// discovered reports whether some service has no static URLs.
func discovered(cfg *gateway.Config) bool {
	for _, s := range cfg.Services {
		if len(s.URLs) == 0 {
			return true
		}
	}
	return false
}

// splitArgs takes -config and -watch out of args and leaves the rest to kit.
func splitArgs(args []string) (path string, watch time.Duration, rest []string, err error) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, val, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || (name != "config" && name != "watch") {
			rest = append(rest, a)
			continue
		}
		if !hasVal {
			if i+1 >= len(args) {
				return "", 0, nil, fmt.Errorf("-%s needs a value", name)
			}
			i++
			val = args[i]
		}
		if name == "config" {
			path = val
			continue
		}
		if watch, err = time.ParseDuration(val); err != nil || watch < 0 {
			return "", 0, nil, fmt.Errorf("-watch: %q is not a positive duration", val)
		}
	}
	return path, watch, rest, nil
}

// serverArgs turns the route file's server: section into kit flags.
func serverArgs(s gateway.ServerConfig) []string {
	var out []string
	add := func(flag, v string) {
		if v != "" && v != "0" && v != "0s" {
			out = append(out, "-"+flag+"="+v)
		}
	}
	add("http-addr", s.Listen)
	add("tls-cert-file", s.TLSCert)
	add("tls-key-file", s.TLSKey)
	add("read-header-timeout", s.ReadHeaderTimeout.String())
	add("idle-timeout", s.IdleTimeout.String())
	add("max-header-bytes", strconv.Itoa(s.MaxHeaderBytes))
	return out
}
