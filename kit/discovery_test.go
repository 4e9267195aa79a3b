package kit_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gantrykit/gantry/discovery"
	"github.com/gantrykit/gantry/discovery/static"
	"github.com/gantrykit/gantry/kit"
)

// fixedAddr stands for a gRPC server (kit/grpckit's Server) bound at an
// address.
type fixedAddr string

func (a fixedAddr) Addr() string { return string(a) }

// probeStore is a registry that fails its first failPuts Puts and, when
// an instance is deleted, records the admin /readyz status at that moment.
type probeStore struct {
	*static.Registry
	failPuts  atomic.Int64
	readyzURL string

	mu            sync.Mutex
	readyAtDelete int
}

func (p *probeStore) Put(ctx context.Context, in discovery.Instance, ttl time.Duration) error {
	if p.failPuts.Add(-1) >= 0 {
		return errors.New("registry unreachable")
	}
	return p.Registry.Put(ctx, in, ttl)
}

func (p *probeStore) Delete(ctx context.Context, in discovery.Instance) error {
	status := 0
	if resp, err := http.Get(p.readyzURL); err == nil {
		status = resp.StatusCode
		resp.Body.Close()
	}
	p.mu.Lock()
	p.readyAtDelete = status
	p.mu.Unlock()
	return p.Registry.Delete(ctx, in)
}

func waitInstances(t *testing.T, in discovery.Instancer, n int) []discovery.Instance {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := in.Instances()
		if len(got) == n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("instances: got %+v, want %d", got, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestRegisterAfterReadyDeregisterFirst(t *testing.T) {
	reg := static.NewRegistry()
	defer reg.Close()
	store := &probeStore{Registry: reg}
	store.failPuts.Store(2) // the registry is down when the App becomes ready
	a := kit.New("orders.api", kit.WithArgs([]string{
		"-http-addr=127.0.0.1:0", "-admin-addr=127.0.0.1:0", "-drain-delay=0s", "-shutdown-timeout=5s", "-instance=pod.1",
	}), kit.WithoutSignals(), kit.WithGetenv(func(string) string { return "" }), kit.WithVersion("v1.0.0"),
		kit.WithLogOutput(discard{}))
	g := fixedAddr("127.0.0.1:50051")
	a.Register(store, kit.Registration{Zone: "eu-1", GRPC: g, Options: discovery.RegistrarOptions{TTL: time.Minute}})

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- a.Run(ctx) }()
	<-a.Started()
	store.readyzURL = "http://" + a.AdminAddr() + "/readyz"

	got := waitInstances(t, reg.Instancer("orders-api"), 1)[0]
	want := discovery.Instance{Service: "orders-api", ID: "pod-1", Address: "http://" + a.HTTPAddr(), Version: "v1.0.0", Zone: "eu-1"}
	if got.Service != want.Service || got.ID != want.ID || got.Address != want.Address || got.Version != want.Version || got.Zone != want.Zone {
		t.Fatalf("registered instance: got %+v, want %+v", got, want)
	}
	if got.Transports["grpc"] != g.Addr() {
		t.Fatalf("grpc transport: got %q, want %q", got.Transports["grpc"], g.Addr())
	}

	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("Run: got %v, want nil", err)
	}
	waitInstances(t, reg.Instancer("orders-api"), 0)
	store.mu.Lock()
	defer store.mu.Unlock()
	if store.readyAtDelete != http.StatusOK {
		t.Fatalf("/readyz while deregistering: got %d, want 200 (deregistration must come before readiness turns 503)", store.readyAtDelete)
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
