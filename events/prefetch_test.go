package events_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gantrykit/gantry/events"
)

// TestPrefetchKeepsOrder: with one handler and events fetched ahead, events
// are handled in stream order, each once; and Stop handles what was already
// fetched rather than leaving it to be redelivered after AckWait.
func TestPrefetchKeepsOrder(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const n = 200
	e.publishOrders(t, n)
	var mu sync.Mutex
	var seen []int
	release := make(chan struct{})
	s := events.NewSubscriber(e.js, events.Consumer{Stream: "ORDERS", Durable: "ordered", Prefetch: 32, FetchWait: 100 * time.Millisecond},
		func(_ context.Context, ev events.Event[orderCreated]) error {
			mu.Lock()
			seen = append(seen, ev.Data.Order)
			first := len(seen) == 1
			mu.Unlock()
			if first {
				<-release // hold the only handler while the buffer fills
			}
			return nil
		})
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	// The loop fetches ahead meanwhile: the held event and 32 behind it.
	waitFor(t, "the buffer full", func() bool { return consumerInfo(t, e.js, "ordered").NumAckPending >= 1+32 })
	close(release)
	waitFor(t, "all events handled", func() bool { mu.Lock(); defer mu.Unlock(); return len(seen) >= n })
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != n {
		t.Fatalf("handled %d events, want %d", len(seen), n)
	}
	for i, order := range seen {
		if order != i {
			t.Fatalf("event %d handled in position %d; order: %v", order, i, seen[:min(len(seen), i+5)])
		}
	}
}

// TestStopHandlesFetchedEvents: events fetched ahead when Stop comes are
// handled before Stop returns, and none is left unacknowledged.
func TestStopHandlesFetchedEvents(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.publishOrders(t, 20)
	var mu sync.Mutex
	handled := 0
	started := make(chan struct{}, 1)
	s := events.NewSubscriber(e.js, events.Consumer{Stream: "ORDERS", Durable: "stopper", Prefetch: 32, FetchWait: 100 * time.Millisecond, AckWait: longAckWait},
		func(_ context.Context, _ events.Event[orderCreated]) error {
			select {
			case started <- struct{}{}:
			default:
			}
			time.Sleep(5 * time.Millisecond)
			mu.Lock()
			handled++
			mu.Unlock()
			return nil
		})
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	<-started
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	got := handled
	mu.Unlock()
	info := answered(t, e.js, "stopper")
	if got == 0 || uint64(got)+info.NumPending != 20 {
		t.Errorf("after Stop: handled %d, %d still pending, %d awaiting ack; want handled + pending = 20 and none awaiting ack",
			got, info.NumPending, info.NumAckPending)
	}
}

// TestStopHandlesWaitingEvents: events waiting in memory behind a busy
// handler when Stop comes are handled before Stop returns, not dropped.
func TestStopHandlesWaitingEvents(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.publishOrders(t, 20)
	var handled atomic.Int32
	started, release := make(chan struct{}), make(chan struct{})
	s := events.NewSubscriber(e.js, events.Consumer{Stream: "ORDERS", Durable: "waiter", Prefetch: 32, FetchWait: 100 * time.Millisecond, AckWait: longAckWait},
		func(_ context.Context, _ events.Event[orderCreated]) error {
			if handled.Add(1) == 1 {
				close(started)
				<-release // the others wait in memory
			}
			return nil
		})
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	<-started
	waitFor(t, "every event sent to the subscriber", func() bool {
		info := consumerInfo(t, e.js, "waiter")
		return info.NumPending == 0 && info.NumAckPending == 20
	})
	stopped := make(chan error, 1)
	go func() { stopped <- s.Stop(context.Background()) }()
	time.Sleep(20 * time.Millisecond) // Stop begins while 19 events wait
	close(release)
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	info := answered(t, e.js, "waiter")
	if got := handled.Load(); got != 20 || info.NumAckPending != 0 || info.AckFloor.Stream != 20 {
		t.Errorf("after Stop: handled %d, %d awaiting ack, ack floor %d; want 20, 0, 20", got, info.NumAckPending, info.AckFloor.Stream)
	}
}
