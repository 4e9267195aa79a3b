package events_test

import (
	"context"
	"fmt"
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
	e := newEnv(t)
	pub := events.NewPublisher[orderCreated](e.js, "orders.created")
	const n = 200
	for i := range n {
		if _, err := pub.Publish(context.Background(), fmt.Sprint("o-", i), orderCreated{Order: i}); err != nil {
			t.Fatal(err)
		}
	}
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
	time.Sleep(300 * time.Millisecond) // the loop fetches ahead meanwhile
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

// TestStopHandlesFetchedEvents: events received ahead of the handler when
// Stop comes are handled before Stop returns, and none is left
// unacknowledged. (Stop waits until the server has sent all 20: one it was
// still sending when Stop unsubscribed would be left to AckWait.)
func TestStopHandlesFetchedEvents(t *testing.T) {
	e := newEnv(t)
	pub := events.NewPublisher[orderCreated](e.js, "orders.created")
	for i := range 20 {
		if _, err := pub.Publish(context.Background(), fmt.Sprint("o-", i), orderCreated{Order: i}); err != nil {
			t.Fatal(err)
		}
	}
	var handled atomic.Int32
	started, release := make(chan struct{}), make(chan struct{})
	s := events.NewSubscriber(e.js, events.Consumer{Stream: "ORDERS", Durable: "stopper", Prefetch: 32, FetchWait: 100 * time.Millisecond},
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
		info := consumerInfo(t, e.js, "stopper")
		return info.NumPending == 0 && info.NumAckPending == 20
	})
	stopped := make(chan error, 1)
	go func() { stopped <- s.Stop(context.Background()) }()
	time.Sleep(20 * time.Millisecond) // Stop begins while 19 events wait
	close(release)
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	info := consumerInfo(t, e.js, "stopper")
	if got := handled.Load(); got != 20 || info.NumAckPending != 0 || info.AckFloor.Stream != 20 {
		t.Errorf("after Stop: handled %d, %d awaiting ack, ack floor %d; want 20, 0, 20", got, info.NumAckPending, info.AckFloor.Stream)
	}
}
