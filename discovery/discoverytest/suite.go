package discoverytest

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gantrykit/gantry/discovery"
	"github.com/go-kit/kit/sd"
)

// Backend describes one fresh registry to Run.
type Backend struct {
	// Store writes to the registry. For a read-only registry (DNS) it is a
	// test adapter that edits the registry's data directly.
	Store discovery.Store
	// NewInstancer returns an Instancer of one service; Run stops it.
	NewInstancer func(service string) (discovery.Instancer, error)
	// TTL is the time-to-live Run registers with; keep it short (≈1s).
	TTL time.Duration
	// Expires says records vanish when heartbeats stop; false skips the
	// expiry case.
	Expires bool
	// Metadata says Instances() returns Version, Zone, Transports and
	// Metadata as registered; false checks addresses only.
	Metadata bool
	// Restart stops the registry and starts it again on the same address,
	// keeping its data if it has any. Nil skips the restart case.
	Restart func()
}

// Run runs the conformance suite. newBackend is called once per subtest
// and must register its cleanup with t.Cleanup. The subtests run in
// parallel (they mostly wait on the registry), so newBackend is called
// from several at once and each Backend must share nothing with another:
// its own server, store and addresses.
func Run(t *testing.T, newBackend func(t *testing.T) Backend) {
	cases := []struct {
		name string
		fn   func(*testing.T, Backend)
	}{
		{"RegisterThenWatch", testRegisterThenWatch},
		{"WatchThenRegister", testWatchThenRegister},
		{"Update", testUpdate},
		{"Deregister", testDeregister},
		{"ServicesApart", testServicesApart},
		{"Expire", testExpire},
		{"Restart", testRestart},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.fn(t, newBackend(t))
		})
	}
}

func inst(service, id, addr string) discovery.Instance {
	return discovery.Instance{
		Service: service, ID: id, Address: addr, Version: "v1.2.3", Zone: "eu-1",
		Transports: map[string]string{"grpc": addr + "1"},
		Metadata:   map[string]string{"team": "shop"},
	}
}

// start registers in through a new Registrar. The first registration is
// retried for up to 10s: a registry that just started or restarted, or a
// loaded machine, may need a moment (kit's App.Register retries the same
// way); Registrar.Start's own contract is tested in package discovery.
func start(t *testing.T, b Backend, in discovery.Instance) *discovery.Registrar {
	t.Helper()
	r := discovery.NewRegistrar(b.Store, in, discovery.RegistrarOptions{TTL: b.TTL})
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := r.Start(context.Background())
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Start(%s): got error %v for 10s, want nil", in.ID, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Cleanup(func() { _ = r.Stop(context.Background()) })
	return r
}

func testRegisterThenWatch(t *testing.T, b Backend) {
	in := inst("orders", "a", "127.0.0.1:8001")
	start(t, b, in)
	w := watch(t, b, "orders")
	w.wait(t, "a registered before the watch", "127.0.0.1:8001")
	if b.Metadata {
		got := w.inst.Instances()
		if len(got) != 1 || !equal(got[0], in) {
			t.Fatalf("Instances(): got %+v, want [%+v]", got, in)
		}
	}
}

func testWatchThenRegister(t *testing.T, b Backend) {
	w := watch(t, b, "orders")
	w.wait(t, "empty service")
	start(t, b, inst("orders", "a", "127.0.0.1:8001"))
	w.wait(t, "a registered", "127.0.0.1:8001")
	start(t, b, inst("orders", "b", "127.0.0.1:8002"))
	w.wait(t, "a and b registered", "127.0.0.1:8001", "127.0.0.1:8002")
}

func testUpdate(t *testing.T, b Backend) {
	w := watch(t, b, "orders")
	r := start(t, b, inst("orders", "a", "127.0.0.1:8001"))
	w.wait(t, "a registered", "127.0.0.1:8001")
	up := inst("orders", "a", "127.0.0.1:9001")
	up.Version = "v2.0.0"
	if err := r.Update(context.Background(), up); err != nil {
		t.Fatalf("Update: got error %v, want nil", err)
	}
	w.wait(t, "a moved to :9001", "127.0.0.1:9001")
	if b.Metadata {
		if got := w.inst.Instances(); len(got) != 1 || got[0].Version != "v2.0.0" {
			t.Fatalf("Instances() after update: got %+v, want version v2.0.0", got)
		}
	}
	bad := up
	bad.ID = "other"
	if err := r.Update(context.Background(), bad); err == nil {
		t.Fatalf("Update with another ID: got nil error, want one")
	}
}

func testDeregister(t *testing.T, b Backend) {
	w := watch(t, b, "orders")
	ra := start(t, b, inst("orders", "a", "127.0.0.1:8001"))
	start(t, b, inst("orders", "b", "127.0.0.1:8002"))
	w.wait(t, "a and b registered", "127.0.0.1:8001", "127.0.0.1:8002")
	if err := ra.Stop(context.Background()); err != nil {
		t.Fatalf("Stop: got error %v, want nil", err)
	}
	w.wait(t, "a deregistered", "127.0.0.1:8002")
}

func testServicesApart(t *testing.T, b Backend) {
	w := watch(t, b, "orders")
	start(t, b, inst("orders2", "a", "127.0.0.1:8101"))
	start(t, b, inst("orders-x", "a", "127.0.0.1:8102"))
	start(t, b, inst("order", "a", "127.0.0.1:8103"))
	start(t, b, inst("orders", "a", "127.0.0.1:8001"))
	w.wait(t, "only orders/a", "127.0.0.1:8001")
	if got := w.inst.Instances(); len(got) != 1 {
		t.Fatalf("Instances(): got %d instances %+v, want 1", len(got), got)
	}
}

func testExpire(t *testing.T, b Backend) {
	if !b.Expires {
		t.Skip("backend records do not expire")
	}
	w := watch(t, b, "orders")
	start(t, b, inst("orders", "a", "127.0.0.1:8001"))
	rb := start(t, b, inst("orders", "b", "127.0.0.1:8002"))
	w.wait(t, "a and b registered", "127.0.0.1:8001", "127.0.0.1:8002")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_ = rb.Stop(ctx) // stops heartbeats without deregistering: a crash
	// b must expire; a, registered as long as b, must survive on heartbeats.
	w.wait(t, "b expired, a kept alive", "127.0.0.1:8001")
}

func testRestart(t *testing.T, b Backend) {
	if b.Restart == nil {
		t.Skip("backend has no registry to restart")
	}
	w := watch(t, b, "orders")
	start(t, b, inst("orders", "a", "127.0.0.1:8001"))
	w.wait(t, "a registered", "127.0.0.1:8001")
	b.Restart()
	start(t, b, inst("orders", "b", "127.0.0.1:8002"))
	w.wait(t, "a kept and b seen after restart", "127.0.0.1:8001", "127.0.0.1:8002")
	late := watch(t, b, "orders")
	late.wait(t, "a and b seen by a new instancer", "127.0.0.1:8001", "127.0.0.1:8002")
}

func equal(a, b discovery.Instance) bool {
	return a.Service == b.Service && a.ID == b.ID && a.Address == b.Address &&
		a.Version == b.Version && a.Zone == b.Zone &&
		mapsEqual(a.Transports, b.Transports) && mapsEqual(a.Metadata, b.Metadata)
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// watcher follows an Instancer through a registered channel, as go-kit's
// Endpointer does, and remembers the last event.
type watcher struct {
	inst discovery.Instancer
	mu   sync.Mutex
	last sd.Event
}

func watch(t *testing.T, b Backend, service string) *watcher {
	t.Helper()
	in, err := b.NewInstancer(service)
	if err != nil {
		t.Fatalf("NewInstancer(%q): got error %v, want nil", service, err)
	}
	w := &watcher{inst: in}
	ch := make(chan sd.Event, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range ch {
			w.mu.Lock()
			w.last = ev
			w.mu.Unlock()
		}
	}()
	in.Register(ch)
	t.Cleanup(func() {
		in.Deregister(ch)
		close(ch)
		<-done
		in.Stop()
	})
	return w
}

// wait polls until the last event lists exactly want (in any order), or
// fails after a generous deadline: registries are eventually consistent.
func (w *watcher) wait(t *testing.T, what string, want ...string) {
	t.Helper()
	slices.Sort(want)
	deadline := time.Now().Add(20 * time.Second)
	for {
		w.mu.Lock()
		last := w.last
		w.mu.Unlock()
		got := slices.Sorted(slices.Values(last.Instances))
		if last.Err == nil && slices.Equal(got, want) && (len(want) > 0 || last.Instances != nil) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: got instances %v (err %v), want %v", what, got, last.Err, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
