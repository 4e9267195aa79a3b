package discoverytest

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gantrykit/gantry/discovery"
)

// Loss is what InstanceLoss measured.
type Loss struct {
	// SinceKill is from the moment the instance stopped heartbeating to the
	// moment it left the instancer.
	SinceKill time.Duration
	// SinceLastHeartbeat is from its last successful heartbeat (the
	// moment the registry's TTL clock restarted) to the same moment.
	SinceLastHeartbeat time.Duration
}

// InstanceLoss registers three instances of one service, stops the
// heartbeats of one without deregistering it (as SIGKILL would), and
// measures how long it stays in an Instancer. The other two must stay. It
// fails the test if the instance is still there after 10 × TTL.
func InstanceLoss(t *testing.T, b Backend) Loss {
	t.Helper()
	store := &stampStore{Store: b.Store, last: map[string]time.Time{}}
	b.Store = store
	w := watch(t, b, "orders")
	start(t, b, inst("orders", "a", "127.0.0.1:8001"))
	start(t, b, inst("orders", "b", "127.0.0.1:8002"))
	victim := start(t, b, inst("orders", "c", "127.0.0.1:8003"))
	w.wait(t, "three instances", "127.0.0.1:8001", "127.0.0.1:8002", "127.0.0.1:8003")
	time.Sleep(b.TTL + b.TTL/6) // heartbeats run; the kill lands between two of them

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_ = victim.Stop(ctx) // no deregistration
	killed := time.Now()
	want := []string{"127.0.0.1:8001", "127.0.0.1:8002"}
	for {
		w.mu.Lock()
		last := w.last
		w.mu.Unlock()
		if slices.Equal(slices.Sorted(slices.Values(last.Instances)), want) {
			gone := time.Now()
			return Loss{SinceKill: gone.Sub(killed), SinceLastHeartbeat: gone.Sub(store.lastPut("c"))}
		}
		if time.Since(killed) > 10*b.TTL {
			t.Fatalf("after %v: got instances %v, want %v", 10*b.TTL, last.Instances, want)
		}
		time.Sleep(time.Millisecond)
	}
}

// stampStore remembers when each instance was last written successfully.
type stampStore struct {
	discovery.Store
	mu   sync.Mutex
	last map[string]time.Time
}

func (s *stampStore) Put(ctx context.Context, in discovery.Instance, ttl time.Duration) error {
	err := s.Store.Put(ctx, in, ttl)
	if err == nil {
		s.mu.Lock()
		s.last[in.ID] = time.Now()
		s.mu.Unlock()
	}
	return err
}

func (s *stampStore) lastPut(id string) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last[id]
}
