package events_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gantrykit/gantry/events"
)

func TestIdempotentAppliesOnce(t *testing.T) {
	var store events.MemoryStore
	var applied atomic.Int32
	fail := true
	h := events.Idempotent(&store, func(context.Context, events.Event[int]) error {
		if fail {
			return errors.New("transient")
		}
		applied.Add(1)
		return nil
	})
	ev := events.Event[int]{ID: "e1"}
	if err := h(context.Background(), ev); err == nil {
		t.Fatal("got nil, want the handler's error")
	}
	if store.Len() != 0 {
		t.Fatalf("a failed apply was recorded: Len = %d, want 0", store.Len())
	}
	fail = false
	var wg sync.WaitGroup
	for range 8 { // concurrent redeliveries of one event
		wg.Go(func() {
			if err := h(context.Background(), ev); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if applied.Load() != 1 || store.Len() != 1 {
		t.Fatalf("applied %d times, recorded %d; want 1, 1", applied.Load(), store.Len())
	}
	// Events without an ID cannot be deduplicated and run every time.
	_ = h(context.Background(), events.Event[int]{})
	_ = h(context.Background(), events.Event[int]{})
	if applied.Load() != 3 {
		t.Fatalf("applied %d, want 3", applied.Load())
	}
}
