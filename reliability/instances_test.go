//go:build reliability

package reliability

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-kit/kit/sd"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/gantrykit/gantry/discovery"
	"github.com/gantrykit/gantry/discovery/natskv"
	"github.com/gantrykit/gantry/gateway"
	"github.com/gantrykit/gantry/transport/nats/embedded"
)

func staticRoutes(ins []*instance, extra string) string {
	urls := make([]string, len(ins))
	for i, in := range ins {
		urls[i] = `"` + in.url() + `"`
	}
	return fmt.Sprintf(`services: {api: {urls: [%s], breaker: {failures: 3, open: 2s}}}
routes: [{name: api, prefix: /api, service: api, retries: 2, timeout: 2s%s}]
`, strings.Join(urls, ", "), extra)
}

// killOne: three instances behind the gateway under GET load; one is killed
// (listener and connections closed at once) a third of the way in. Clients
// must see no failure: refused and cut-off GETs are retried elsewhere.
func killOne(t *testing.T, p profile, f *fig) {
	ins := []*instance{newInstance(t), newInstance(t), newInstance(t)}
	gw := startGateway(t, staticRoutes(ins, ""), nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-time.After(p.load / 3):
			ins[1].kill()
		case <-ctx.Done():
		}
	}()
	res := load(ctx, 16, p.load, get(gw+"/api/x"))
	hitsAtEnd := ins[1].hits.Load()
	f.Add("%d GETs in %v, %d failed (%v), p50 %v, p99 %v; killed instance served %d", res.total(), p.load,
		res.failed(), res.status, res.pct(0.5).Round(10*time.Microsecond), res.pct(0.99).Round(10*time.Microsecond), hitsAtEnd)
	if res.failed() != 0 {
		t.Errorf("client-visible failures: got %d (%v, last error %q), want 0", res.failed(), res.status, res.lastErr)
	}
}

// slowOne: three instances, one answering 10× slower; the balancer (P2C over
// peak EWMA latency) must send it far less than its third. The delays are
// large beside a loaded machine's scheduling latency (tens of ms on 2
// shared cores), which is added to every instance alike and would
// otherwise shrink the 10× the balancer sees.
func slowOne(t *testing.T, p profile, f *fig) {
	const base = 20 * time.Millisecond
	ins := []*instance{newInstance(t), newInstance(t), newInstance(t)}
	for _, in := range ins {
		in.delay.Store(int64(base))
	}
	ins[2].delay.Store(int64(10 * base))
	gw := startGateway(t, staticRoutes(ins, ""), nil)
	res := load(context.Background(), 16, p.load, get(gw+"/api/x"))
	var total int64
	for _, in := range ins {
		total += in.hits.Load()
	}
	share := float64(ins[2].hits.Load()) / float64(total)
	f.Add("%d GETs, %d failed; slow instance (%v vs %v) got %.1f%% of them (even share 33.3%%); p50 %v, p99 %v",
		res.total(), res.failed(), 10*base, base, 100*share, res.pct(0.5).Round(10*time.Microsecond), res.pct(0.99).Round(10*time.Microsecond))
	if share > 0.15 {
		t.Errorf("slow instance share: got %.1f%%, want ≤ 15%%", 100*share)
	}
	if res.failed() != 0 {
		t.Errorf("failures: got %d (%v), want 0", res.failed(), res.status)
	}
}

// rollingRestart: three instances registered in NATS KV, the gateway
// discovering them; under POST load (never retried by the gateway) each
// instance in turn deregisters, waits a drain delay, shuts down gracefully,
// restarts and registers again. Clients must see no failure.
func rollingRestart(t *testing.T, p profile, f *fig) {
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
	ins := []*instance{newInstance(t), newInstance(t), newInstance(t)}
	rec := func(i int) discovery.Instance {
		return discovery.Instance{Service: "api", ID: fmt.Sprintf("api-%d", i), Address: ins[i].url()}
	}
	for i := range ins {
		if err := reg.Put(ctx, rec(i), 10*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	cfg := `services: {api: {}}
routes: [{name: api, prefix: /api, service: api, timeout: 2s}]
`
	// Watch what the instancer publishes, to tell a gateway fault from a
	// registry one.
	watch, err := reg.Instancer("api")
	if err != nil {
		t.Fatal(err)
	}
	evs := make(chan sd.Event, 1024)
	watch.Register(evs)
	defer watch.Deregister(evs)
	resolver := gateway.ResolverFunc(func(s string) (sd.Instancer, error) { return reg.Instancer(s) })
	gw := startGatewayWith(t, cfg, gateway.WithResolver(resolver))

	// A gateway that has just started may not have the registry's set yet
	// (the instancer's first event is empty): count those answers apart,
	// then measure the restarts once it routes.
	startup := 0
	c := client(1)
	if err := waitFor(10*time.Second, func() bool {
		code, _, _ := do(c, get(gw+"/api/orders")(ctx))
		if code != http.StatusOK {
			startup++
		}
		return code == http.StatusOK
	}); err != nil {
		t.Fatalf("the gateway never routed to a registered instance: %v", err)
	}
	f.Add("right after start the gateway answered %d request(s) with an error before its instancer had the registered set", startup)

	const drainDelay = 500 * time.Millisecond
	lctx, cancel := context.WithCancel(ctx)
	defer cancel()
	restarted := make(chan error, 1)
	go func() {
		time.Sleep(p.load / 6)
		for i := range ins {
			if err := reg.Delete(ctx, rec(i)); err != nil {
				restarted <- err
				return
			}
			time.Sleep(drainDelay) // the gateway's instancer drops it
			dctx, dcancel := context.WithTimeout(ctx, 5*time.Second)
			ins[i].drain(dctx)
			dcancel()
			time.Sleep(100 * time.Millisecond) // down
			ins[i].restart()
			if err := reg.Put(ctx, rec(i), 10*time.Second); err != nil {
				restarted <- err
				return
			}
			time.Sleep(drainDelay)
		}
		restarted <- nil
	}()
	d := max(p.load, 6*(drainDelay+200*time.Millisecond))
	res := load(lctx, 16, d, func(ctx context.Context) *http.Request {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, gw+"/api/orders", strings.NewReader(`{"sku":"abc"}`))
		req.Header.Set("Content-Type", "application/json")
		return req
	})
	if err := <-restarted; err != nil {
		t.Fatal(err)
	}
	nev, minSet, errEv := 0, len(ins), 0
	var sizes []int
	for len(evs) > 0 {
		ev := <-evs
		nev++
		sizes = append(sizes, len(ev.Instances))
		if ev.Err != nil {
			errEv++
		} else {
			minSet = min(minSet, len(ev.Instances))
		}
	}
	f.Add("the registry's instancer published %d events (set sizes %v), %d with an error, the smallest set had %d instances", nev, sizes, errEv, minSet)
	f.Add("%d POSTs in %v while 3 instances restarted one by one (deregister, %v drain delay, graceful shutdown, restart, register): %d failed (%v), p99 %v",
		res.total(), d, drainDelay, res.failed(), res.status, res.pct(0.99).Round(10*time.Microsecond))
	if res.failed() != 0 {
		t.Errorf("failed POSTs: got %d (%v, last error %q), want 0", res.failed(), res.status, res.lastErr)
	}
}
