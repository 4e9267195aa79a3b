package liveconfig_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"github.com/gantrykit/gantry/liveconfig"
	"github.com/gantrykit/gantry/liveconfig/liveconfigtest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// runOverlay runs o over src until the test ends.
func runOverlay(t *testing.T, o *liveconfig.Overlay, src liveconfig.Source, key string) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := o.Run(ctx, src, key); err != nil {
			t.Errorf("Run: got %v, want nil at the end", err)
		}
	})
	t.Cleanup(func() { cancel(); wg.Wait() })
}

func TestMemoryConformance(t *testing.T) {
	var mem liveconfig.Memory
	liveconfigtest.Run(t, liveconfigtest.Store{
		Source: &mem,
		Put:    func(_ testing.TB, key, doc string) { mem.Set(key, []byte(doc)) },
		Delete: func(_ testing.TB, key string) { mem.Set(key, nil) },
	})
}

func TestMemoryRun(t *testing.T) {
	var mem liveconfig.Memory
	mem.Set("orders", []byte("service: {limit: 3}"))
	o, s := newOverlay(t)
	src := liveconfigtest.Record(&mem)
	runOverlay(t, o, src, "orders")
	src.Next(t)
	if s.limit != 3 {
		t.Errorf("initial: got limit %v, want 3", s.limit)
	}
	mem.Set("other", []byte("service: {limit: 4}"))
	mem.Set("orders", []byte("service: {limit: 9}"))
	if doc := src.Next(t); string(doc) != "service: {limit: 9}" || s.limit != 9 {
		t.Errorf("got document %q limit %v, want only orders' change and 9", doc, s.limit)
	}
	mem.Set("orders", nil)
	if src.Next(t); s.limit != 100 {
		t.Errorf("after delete: got limit %v, want 100", s.limit)
	}
}

// failing is a Source whose watch fails a number of times before it
// delegates.
type failing struct {
	liveconfig.Source
	mu    sync.Mutex
	fails int
}

func (f *failing) Watch(ctx context.Context, key string, fn func([]byte)) error {
	f.mu.Lock()
	if f.fails > 0 {
		f.fails--
		f.mu.Unlock()
		return errors.New("store unreachable")
	}
	f.mu.Unlock()
	return f.Source.Watch(ctx, key, fn)
}

func TestRunRetriesAFailedWatch(t *testing.T) {
	var mem liveconfig.Memory
	mem.Set("orders", []byte("service: {limit: 2}"))
	o, s := newOverlay(t)
	src := liveconfigtest.Record(&failing{Source: &mem, fails: 2})
	runOverlay(t, o, src, "orders")
	if src.Next(t); s.limit != 2 {
		t.Errorf("after two failed watches: got limit %v, want 2", s.limit)
	}
}
