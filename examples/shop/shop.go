package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/gantrykit/gantry/discovery/natskv"
	"github.com/gantrykit/gantry/examples/shop/gateway"
	"github.com/gantrykit/gantry/examples/shop/internal/cmdutil"
	"github.com/gantrykit/gantry/examples/shop/internal/shopauth"
	"github.com/gantrykit/gantry/examples/shop/order"
	"github.com/gantrykit/gantry/examples/shop/product"
	"github.com/gantrykit/gantry/examples/shop/user"
	"github.com/gantrykit/gantry/kit"
	"github.com/gantrykit/gantry/transport/nats/embedded"
)

// options say where the shop runs.
type options struct {
	addr     string              // the gateway's listen address
	data     string              // SQLite files, signing key, JetStream
	natsPort int                 // the embedded NATS server's port (0: any)
	replicas int                 // instances of each service but the gateway (0: 1)
	postgres string              // a PostgreSQL server's URL: a database per service there
	getenv   func(string) string // the process environment
	// hook, if set, may change a service before it runs (tests use it to
	// set the order relay's fault hook).
	hook func(any)
	// appOptions, if set, gives more kit options for each service by name
	// ("user", "product", "order", "gateway"): tests capture logs with it.
	appOptions func(service string) []kit.Option
}

// shop is the running shop: the gateway, each service's replicas (User,
// Product and Order are the first of each) and the NATS server they share.
type shop struct {
	Gateway, User, Product, Order *kit.App
	Replicas                      map[string][]*kit.App // by service name
	OrderServer                   *order.Server
	ProductServer                 *product.Server
	NATSURL                       string

	cancel   context.CancelFunc
	wg       sync.WaitGroup
	mu       sync.Mutex
	errs     []error
	stopNATS func()
	failed   chan struct{} // closed when a service stops on its own
	failOnce sync.Once
	apps     map[*kit.App]func() // stops one App and waits for it
	hook     func(any)
	stopOnce sync.Once
}

// URL is the gateway's base URL.
func (s *shop) URL() string { return "http://" + s.Gateway.HTTPAddr() }

// start starts NATS, then user, then product and order (which verify
// tokens with the user service's JWKS), then the gateway, and waits until
// the gateway answers the catalog. On error everything started is stopped.
func start(ctx context.Context, o options) (_ *shop, err error) {
	if o.replicas < 1 {
		o.replicas = 1
	}
	dbs := map[string]string{}
	if o.postgres != "" {
		if dbs, err = serviceDatabases(ctx, o.postgres, "user", "product", "order"); err != nil {
			return nil, err
		}
	} else if o.replicas > 1 {
		return nil, errors.New("-replicas above 1 needs -postgres: a SQLite file serves one process")
	}
	// An external NATS (GANTRY_NATS_URL) is used as is; otherwise the shop
	// embeds a server with JetStream under the data directory.
	url, stopNATS := o.getenv("GANTRY_NATS_URL"), func() {}
	if url == "" {
		var err error
		url, stopNATS, err = embedded.Starter(filepath.Join(o.data, "nats"), o.natsPort)
		if err != nil {
			return nil, fmt.Errorf("embedded NATS on port %d (-nats-port 0 picks a free one): %w", o.natsPort, err)
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	s := &shop{NATSURL: url, cancel: cancel, stopNATS: stopNATS, failed: make(chan struct{}), hook: o.hook,
		Replicas: map[string][]*kit.App{}, apps: map[*kit.App]func(){}}
	defer func() {
		if err != nil {
			s.stop()
		}
	}()
	env := func(extra map[string]string) func(string) string {
		fixed := map[string]string{
			"GANTRY_HTTP_ADDR": "127.0.0.1:0", "GANTRY_ADMIN_ADDR": "127.0.0.1:0", "GANTRY_GRPC_ADDR": "127.0.0.1:0",
			"GANTRY_NATS_URL": url, "GANTRY_DATA_DIR": o.data,
		}
		for svc, dsn := range dbs {
			fixed[strings.ToUpper(svc)+"_DB"] = dsn
		}
		defaults := cmdutil.Tuning()
		// The shutdown timeout is kit's default, as in deploy/: the stop
		// hooks may wait out a held drain twice, each cut short with a
		// warning: an events consumer's (twice the pull expiry + 5s, 7s
		// here) and then the NATS connection's (5s). 10s was less.
		for k, v := range map[string]string{"GANTRY_DRAIN_DELAY": "0s", "GANTRY_SHUTDOWN_TIMEOUT": "20s", "GANTRY_LOG_FORMAT": "text"} {
			defaults[k] = v
		}
		return func(k string) string {
			if v, ok := extra[k]; ok {
				return v
			}
			if v, ok := fixed[k]; ok {
				return v
			}
			if v := o.getenv(k); v != "" {
				return v
			}
			return defaults[k]
		}
	}

	for range o.replicas {
		u, err := user.New(nil, env(nil), o.kitOptions("user")...)
		if err != nil {
			return nil, fmt.Errorf("user: %w", err)
		}
		if err := s.run(ctx, u, u.App); err != nil {
			return nil, err
		}
		s.Replicas["user"] = append(s.Replicas["user"], u.App)
	}
	s.User = s.Replicas["user"][0]

	// product, order and the gateway read the user service's key set
	// through discovery, from any live replica (shopauth.DefaultJWKSURL).
	for i := range o.replicas {
		p, err := product.New(nil, env(nil), o.kitOptions("product")...)
		if err != nil {
			return nil, fmt.Errorf("product: %w", err)
		}
		if i == 0 {
			s.ProductServer, s.Product = p, p.App
		}
		if err := s.run(ctx, p, p.App); err != nil {
			return nil, err
		}
		s.Replicas["product"] = append(s.Replicas["product"], p.App)
	}
	for i := range o.replicas {
		or, err := order.New(nil, env(nil), o.kitOptions("order")...)
		if err != nil {
			return nil, fmt.Errorf("order: %w", err)
		}
		if i == 0 {
			s.OrderServer, s.Order = or, or.App
		}
		if err := s.run(ctx, or, or.App); err != nil {
			return nil, err
		}
		s.Replicas["order"] = append(s.Replicas["order"], or.App)
	}
	g, err := gateway.New(nil, env(map[string]string{"GANTRY_HTTP_ADDR": o.addr}), o.kitOptions("gateway")...)
	if err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	if err := s.run(ctx, g, g.App); err != nil {
		return nil, err
	}
	s.Gateway = g.App
	return s, s.waitReady(ctx, o.replicas)
}

// kitOptions are the options service's App is made with.
func (o options) kitOptions(service string) []kit.Option {
	opts := []kit.Option{kit.WithoutSignals()}
	if o.appOptions != nil {
		opts = append(opts, o.appOptions(service)...)
	}
	return opts
}

// run starts app in a goroutine and waits until it serves.
func (s *shop) run(ctx context.Context, server any, app *kit.App) error {
	if s.hook != nil {
		s.hook(server)
	}
	s.wg.Add(1)
	done := make(chan struct{})
	ctx, cancel := context.WithCancel(ctx)
	s.mu.Lock()
	s.apps[app] = func() { cancel(); <-done }
	s.mu.Unlock()
	go func() {
		defer s.wg.Done()
		defer close(done)
		defer cancel()
		if err := app.Run(ctx); err != nil {
			s.mu.Lock()
			s.errs = append(s.errs, fmt.Errorf("%s: %w", app.Name(), err))
			s.mu.Unlock()
		}
		if ctx.Err() == nil {
			s.failOnce.Do(func() { close(s.failed) })
		}
	}()
	select {
	case <-app.Started():
		return nil
	case <-done:
		return s.err()
	}
}

// stopApp stops one running App, a replica say, and waits until it has
// stopped; the others keep serving.
func (s *shop) stopApp(app *kit.App) {
	s.mu.Lock()
	stop := s.apps[app]
	s.mu.Unlock()
	if stop != nil {
		stop()
	}
}

// waitReady waits until the replicas of every service are registered in
// NATS-KV discovery and the gateway answers the key set (user) and the
// catalog (product) through its routes.
func (s *shop) waitReady(ctx context.Context, replicas int) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := s.waitRegistered(ctx, replicas, "user", "product", "order"); err != nil {
		return err
	}
	for _, path := range []string{shopauth.JWKSPath, "/api/v1/products"} {
		if err := s.poll(ctx, func() bool {
			resp, err := http.Get(s.URL() + path)
			if err != nil {
				return false
			}
			resp.Body.Close()
			return resp.StatusCode == http.StatusOK
		}); err != nil {
			return fmt.Errorf("GET %s through the gateway: %w", path, err)
		}
	}
	return nil
}

func (s *shop) waitRegistered(ctx context.Context, replicas int, services ...string) error {
	nc, err := nats.Connect(s.NATSURL)
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	reg, err := natskv.New(ctx, js, natskv.Options{})
	if err != nil {
		return err
	}
	for _, name := range services {
		inst, err := reg.Instancer(name)
		if err != nil {
			return err
		}
		err = s.poll(ctx, func() bool { return len(inst.Instances()) >= replicas })
		inst.Stop()
		if err != nil {
			return fmt.Errorf("%d replicas of %s never registered in discovery: %w", replicas, name, err)
		}
	}
	return nil
}

// poll calls ok every 20ms until it returns true, ctx ends, or a service
// stops on its own.
func (s *shop) poll(ctx context.Context, ok func() bool) error {
	for !ok() {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-s.failed:
			return errors.Join(errors.New("a service stopped"), s.err())
		case <-time.After(20 * time.Millisecond):
		}
	}
	return nil
}

func (s *shop) err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return errors.Join(s.errs...)
}

// stop shuts every service down, then the NATS server, and returns the
// services' errors.
// It may be called more than once.
func (s *shop) stop() error {
	s.stopOnce.Do(func() {
		s.cancel()
		s.wg.Wait()
		s.stopNATS()
	})
	return s.err()
}
