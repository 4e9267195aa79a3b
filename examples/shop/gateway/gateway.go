package gateway

import (
	"context"
	_ "embed"
	"errors"
	"net"
	"net/http"
	"os"
	"sync/atomic"
	"time"

	"github.com/go-kit/kit/sd"

	"github.com/gantrykit/gantry/examples/shop/internal/shopauth"
	gw "github.com/gantrykit/gantry/gateway"
	"github.com/gantrykit/gantry/kit"
	"github.com/gantrykit/gantry/kit/natskit"
	"github.com/gantrykit/gantry/kit/pprofkit"
	"github.com/gantrykit/gantry/middleware/auth"
	"github.com/gantrykit/gantry/transport/nats/embedded"
)

// Routes is the embedded route table (routes.yaml).
//
//go:embed routes.yaml
var Routes []byte

// Config is the shop gateway's own configuration (GATEWAY_* variables).
type Config struct {
	Routes  string `yaml:"routes" help:"route table file (default: the embedded routes.yaml)"`
	JWKSURL string `yaml:"jwks_url" help:"the user service's JSON Web Key Set (default: the route table's, discovery://user/..., any live user replica)"`
	// FastLane puts the gateway's experimental fast lane in front of its
	// net/http server (see gateway.FastPath); off by default.
	FastLane bool `yaml:"fast_lane" help:"serve plain HTTP/1.1 through the gateway's experimental fast lane"`
}

// Server is the gateway assembled on a kit.App.
type Server struct {
	App *kit.App
}

// methods the gateway is mounted for on the kit mux.
var methods = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

// New builds the gateway from args and the environment. The route table is
// parsed now (errors name line and key); the gateway itself is built once
// the NATS connection is up, since its upstreams come from discovery.
func New(args []string, getenv func(string) string, opts ...kit.Option) (*Server, error) {
	var cfg Config
	var g atomic.Pointer[gw.Gateway]
	var app *kit.App
	// The gateway's admission sees every cleartext connection's bytes
	// (gw.NewListener). With fast_lane set, plain HTTP/1.1 requests are
	// served by the gateway's experimental fast lane; the rest reach the
	// kit server.
	lane := kit.WithHTTPListener(func(ln net.Listener) net.Listener {
		c := app.Config()
		if cfg.FastLane {
			ln = gw.NewFastPath(ln, g.Load, gw.ServerConfig{ReadHeaderTimeout: c.ReadHeaderTimeout, IdleTimeout: c.IdleTimeout}, app.Logger())
		}
		return gw.NewListener(ln, c.MaxHeaderBytes)
	})
	app = kit.New("gateway", append([]kit.Option{kit.WithConfig(&cfg), kit.WithArgs(args), kit.WithGetenv(getenv), lane}, opts...)...)
	if err := app.Err(); err != nil {
		return nil, err
	}
	pprofkit.Mount(app) // /debug/pprof/ on the admin listener
	table := Routes
	if cfg.Routes != "" {
		b, err := os.ReadFile(cfg.Routes)
		if err != nil {
			return nil, err
		}
		table = b
	}
	rc, err := gw.ParseConfig(table)
	if err != nil {
		return nil, err
	}
	if cfg.JWKSURL != "" {
		rc.Auth.JWKSURL = cfg.JWKSURL
	}
	n := natskit.New(app, embedded.Starter)
	// The key set is read through discovery too: a discovery:// jwks_url
	// (the route table's) names the user service, whichever replica lives.
	keys := &shopauth.Transport{Resolve: n.Instancer}
	app.OnStart("gateway", func(ctx context.Context) error {
		gate, err := gw.New(rc,
			gw.WithResolver(gw.ResolverFunc(func(service string) (sd.Instancer, error) {
				return n.Instancer(context.Background(), service)
			})),
			gw.WithJWKSClient(&http.Client{Timeout: auth.DefaultJWKSTimeout, Transport: keys}),
			gw.WithRegisterer(app.Registry()), gw.WithTracerProvider(app.TracerProvider()),
			gw.WithLogger(app.Logger()), gw.WithGetenv(getenv))
		if err != nil {
			return err
		}
		// Services that registered already are routable from the first
		// request; ones that start later appear as they register.
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := gate.WaitForInstances(wctx); err != nil {
			app.Logger().Warn("serving before discovery reported every service", "err", err)
		}
		g.Store(gate)
		return nil
	})
	app.OnStop("gateway", func(context.Context) error {
		keys.Close()
		if gate := g.Load(); gate != nil {
			return gate.Close()
		}
		return nil
	})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gate := g.Load()
		if gate == nil {
			http.Error(w, "starting", http.StatusServiceUnavailable)
			return
		}
		gate.ServeHTTP(w, r)
	})
	for _, m := range methods {
		app.HTTP().Handle(m+" /", h)
	}
	app.HTTP().Handle("GET /openapi.json", h) // the merged document, not kit's own
	app.AddCheck("gateway", func(context.Context) error {
		if g.Load() == nil {
			return errors.New("not built yet")
		}
		return nil
	})
	return &Server{App: app}, nil
}
