//go:build reliability

package reliability

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-kit/kit/sd"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/gantrykit/gantry/discovery/natskv"
	"github.com/gantrykit/gantry/endpoint"
	"github.com/gantrykit/gantry/gateway"
	"github.com/gantrykit/gantry/kit"
	httpt "github.com/gantrykit/gantry/transport/http"
	"github.com/gantrykit/gantry/transport/nats/embedded"
)

// kitInstance is one running kit App of the "orders" service.
type kitInstance struct {
	cancel context.CancelFunc
	done   chan error
}

// startKitInstance runs an App with a typed POST endpoint behind the default
// chain that registers itself in reg (App.Register) and drains on cancel.
func startKitInstance(reg *natskv.Registry, n int) (*kitInstance, error) {
	app := kit.New("orders", kit.WithoutSignals(), kit.WithLogOutput(io.Discard), kit.WithGetenv(func(string) string { return "" }),
		kit.WithArgs([]string{"-http-addr", "127.0.0.1:0", "-admin-addr", "127.0.0.1:0", "-drain-delay", "500ms",
			"-instance", fmt.Sprintf("orders-%d", n)}))
	create := endpoint.Wrap(func(_ context.Context, m message) (message, error) { return m, nil }, app.Middleware("create")...)
	app.HTTP().Handle("POST /api/orders", httpt.NewServer(create, httpt.WithStatus(http.StatusCreated)))
	app.Register(reg, kit.Registration{})
	ctx, cancel := context.WithCancel(context.Background())
	in := &kitInstance{cancel: cancel, done: make(chan error, 1)}
	go func() { in.done <- app.Run(ctx) }()
	select {
	case <-app.Started():
		return in, nil
	case err := <-in.done:
		cancel()
		return nil, fmt.Errorf("orders-%d: %v", n, err)
	}
}

// stop starts the App's shutdown (deregister, readiness 503, drain delay,
// graceful server shutdown) and waits for it.
func (in *kitInstance) stop(t *testing.T) {
	in.cancel()
	select {
	case err := <-in.done:
		if err != nil {
			t.Errorf("app shutdown: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Error("app did not stop in 30s")
	}
}

// rollingRestartKit: the rolling restart as a deployment does it, with kit
// Apps. Three "orders" Apps register themselves in NATS KV; the gateway
// discovers them. Under POST load each in turn is stopped (the App
// deregisters first, turns unready, waits its 500 ms drain delay, then
// shuts its server down gracefully) and a new one is started on a new port,
// registering itself when ready. Clients must see no failure.
func rollingRestartKit(t *testing.T, p profile, f *fig) {
	srv, err := embedded.Start(embedded.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	nc, err := nats.Connect(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	reg, err := natskv.New(ctx, js, natskv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var live []*kitInstance
	for i := range 3 {
		in, err := startKitInstance(reg, i)
		if err != nil {
			t.Fatal(err)
		}
		live = append(live, in)
	}
	defer func() {
		for _, in := range live {
			in.stop(t)
		}
	}()
	watch, err := reg.Instancer("orders")
	if err != nil {
		t.Fatal(err)
	}
	defer watch.Stop()
	if err := waitFor(10*time.Second, func() bool { return len(watch.Instances()) == 3 }); err != nil {
		t.Fatalf("3 instances never registered: %v", watch.Instances())
	}
	cfg := "services: {orders: {}}\nroutes: [{name: orders, prefix: /api, service: orders, timeout: 2s}]\n"
	gw := startGatewayWith(t, cfg, gateway.WithResolver(gateway.ResolverFunc(func(s string) (sd.Instancer, error) {
		return reg.Instancer(s)
	})))
	post := func(ctx context.Context) *http.Request {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, gw+"/api/orders", strings.NewReader(`{"to":"ada","text":"hi"}`))
		req.Header.Set("Content-Type", "application/json")
		return req
	}
	c := client(1)
	if err := waitFor(10*time.Second, func() bool { code, _, _ := do(c, post(ctx)); return code == http.StatusCreated }); err != nil {
		t.Fatal("the gateway never routed to a registered App")
	}

	rolled := make(chan time.Duration, 1)
	go func() {
		time.Sleep(p.load / 6)
		start := time.Now()
		for i := range live {
			live[i].stop(t)
			in, err := startKitInstance(reg, 3+i)
			if err != nil {
				t.Error(err)
				live[i] = &kitInstance{cancel: func() {}, done: make(chan error, 1)}
				live[i].done <- nil
				continue
			}
			live[i] = in
			time.Sleep(300 * time.Millisecond)
		}
		rolled <- time.Since(start)
	}()
	d := max(p.load, 6*time.Second)
	res := load(ctx, 16, d, post)
	took := <-rolled
	f.Add("%d POSTs in %v while 3 kit Apps were replaced one by one in %v (App.Register in NATS KV; on stop: deregister, unready, 500ms drain delay, graceful shutdown): %d failed (%v), p99 %v",
		res.total(), d, took.Round(10*time.Millisecond), res.failed(), res.status, res.pct(0.99).Round(10*time.Microsecond))
	if res.failed() != 0 {
		t.Errorf("failed POSTs: got %d (%v, last error %q), want 0", res.failed(), res.status, res.lastErr)
	}
}
