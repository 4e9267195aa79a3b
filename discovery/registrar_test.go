package discovery_test

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gantrykit/gantry/discovery"
	"github.com/gantrykit/gantry/discovery/static"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// outage wraps a store and fails every call while down is set: a registry
// that is unreachable.
type outage struct {
	discovery.Store
	down  atomic.Bool
	calls atomic.Int64
}

var errDown = errors.New("registry unreachable")

func (o *outage) Put(ctx context.Context, in discovery.Instance, ttl time.Duration) error {
	o.calls.Add(1)
	if o.down.Load() {
		return errDown
	}
	return o.Store.Put(ctx, in, ttl)
}

func waitIDs(t *testing.T, in discovery.Instancer, want ...string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var got []string
		for _, i := range in.Instances() {
			got = append(got, i.ID)
		}
		if slices.Equal(got, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("instances: got %v, want %v", got, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestRegistrarReregistersAfterOutage(t *testing.T) {
	reg := static.NewRegistry()
	defer reg.Close()
	store := &outage{Store: reg}
	in := discovery.Instance{Service: "orders", ID: "a", Address: "h:1"}
	r := discovery.NewRegistrar(store, in, discovery.RegistrarOptions{TTL: 30 * time.Second, Heartbeat: 20 * time.Millisecond})
	if err := r.Start(context.Background()); err != nil {
		t.Fatalf("Start: got %v, want nil", err)
	}
	defer r.Stop(context.Background())
	watcher := reg.Instancer("orders")
	waitIDs(t, watcher, "a")

	// The registry goes away and comes back empty.
	store.down.Store(true)
	if err := reg.Delete(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	before := store.calls.Load()
	for store.calls.Load() < before+3 { // heartbeats keep trying while it is down
		time.Sleep(5 * time.Millisecond)
	}
	waitIDs(t, watcher)
	store.down.Store(false)
	waitIDs(t, watcher, "a")
}

func TestRegistrarLifecycle(t *testing.T) {
	reg := static.NewRegistry()
	defer reg.Close()
	if err := discovery.NewRegistrar(reg, discovery.Instance{Service: "orders"}, discovery.RegistrarOptions{}).Start(context.Background()); !errors.Is(err, discovery.ErrInvalidInstance) {
		t.Fatalf("Start with an invalid instance: got %v, want ErrInvalidInstance", err)
	}
	down := &outage{Store: reg}
	down.down.Store(true)
	in := discovery.Instance{Service: "orders", ID: "a", Address: "h:1"}
	r := discovery.NewRegistrar(down, in, discovery.RegistrarOptions{})
	if err := r.Start(context.Background()); !errors.Is(err, errDown) {
		t.Fatalf("Start with the registry down: got %v, want %v", err, errDown)
	}
	down.down.Store(false)
	if err := r.Start(context.Background()); err != nil {
		t.Fatalf("Start after the registry came back: got %v, want nil", err)
	}
	if err := r.Start(context.Background()); err == nil {
		t.Fatalf("second Start: got nil, want an error")
	}
	waitIDs(t, reg.Instancer("orders"), "a")
	if err := r.Stop(context.Background()); err != nil {
		t.Fatalf("Stop: got %v, want nil", err)
	}
	waitIDs(t, reg.Instancer("orders"))
	if err := r.Stop(context.Background()); err != nil {
		t.Fatalf("second Stop: got %v, want nil", err)
	}
}
