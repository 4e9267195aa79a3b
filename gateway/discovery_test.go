package gateway_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-kit/kit/sd"

	"github.com/gantrykit/gantry/discovery"
	"github.com/gantrykit/gantry/discovery/static"
	"github.com/gantrykit/gantry/gateway"
)

// TestDiscoveredUpstream routes to a service with no static URLs: its
// instances come from a discovery registry and change while it serves.
func TestDiscoveredUpstream(t *testing.T) {
	reg := static.NewRegistry()
	defer reg.Close()
	a, b := newBackend(t, "a"), newBackend(t, "b")
	put := func(id string, be *backend) {
		inst := discovery.Instance{Service: "orders", ID: id, Address: strings.TrimPrefix(be.URL, "http://")}
		if err := reg.Put(context.Background(), inst, 0); err != nil {
			t.Fatal(err)
		}
	}
	del := func(id string, be *backend) {
		inst := discovery.Instance{Service: "orders", ID: id, Address: strings.TrimPrefix(be.URL, "http://")}
		if err := reg.Delete(context.Background(), inst); err != nil {
			t.Fatal(err)
		}
	}
	put("a", a)
	resolver := gateway.ResolverFunc(func(service string) (sd.Instancer, error) { return reg.Instancer(service), nil })
	_, gw := start(t, `
services: {orders: {}}
routes: [{name: orders, prefix: /, service: orders}]
`, gateway.WithResolver(resolver))

	reaches := func(want string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			res, e, _ := do(t, "GET", gw.URL+"/x", nil, "")
			if res.StatusCode == 200 && e.Name == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("got %d from %q, want 200 from %q", res.StatusCode, e.Name, want)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	reaches("a")
	put("b", b)
	del("a", a)
	reaches("b")
	del("b", b)
	deadline := time.Now().Add(10 * time.Second)
	for {
		res, _, raw := do(t, "GET", gw.URL+"/x", nil, "")
		if res.StatusCode == http.StatusServiceUnavailable {
			if !strings.Contains(raw, "no instance of orders") {
				t.Errorf("body = %s, want it to name the service", raw)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("status = %d after every instance left, want 503", res.StatusCode)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestServiceWithoutResolver(t *testing.T) {
	cfg, err := gateway.ParseConfig([]byte("services: {orders: {}}\nroutes: [{name: o, prefix: /, service: orders}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gateway.New(cfg); err == nil || !strings.Contains(err.Error(), "services.orders") {
		t.Errorf("New = %v, want an error naming services.orders", err)
	}
}

// TestWaitForInstances: a gateway built before discovery has reported
// knows no instance; WaitForInstances returns once the first set is in the
// balancer, so the very next request is served.
func TestWaitForInstances(t *testing.T) {
	b := newBackend(t, "b")
	c := discovery.NewCache() // an instancer the test reports for
	resolver := gateway.ResolverFunc(func(string) (sd.Instancer, error) { return c, nil })
	g, gw := start(t, `
services: {orders: {}}
routes: [{name: orders, prefix: /, service: orders}]
`, gateway.WithResolver(resolver))

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := g.WaitForInstances(ctx); err == nil || !strings.Contains(err.Error(), "orders") {
		t.Fatalf("before discovery reported: got %v, want an error naming orders", err)
	}
	c.Update([]discovery.Instance{{Service: "orders", ID: "1", Address: strings.TrimPrefix(b.URL, "http://")}})
	ctx, cancel = context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := g.WaitForInstances(ctx); err != nil {
		t.Fatalf("after the first set: %v", err)
	}
	if res, e, raw := do(t, "GET", gw.URL+"/x", nil, ""); res.StatusCode != 200 || e.Name != "b" {
		t.Fatalf("first request after WaitForInstances: %d %s, want 200 from b", res.StatusCode, raw)
	}
}
