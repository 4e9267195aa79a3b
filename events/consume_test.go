package events_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/gantrykit/gantry/events"
)

// TestPrefetchBoundsWaitingEvents: with every handler busy, the server has
// delivered at most Concurrency+Prefetch events (the ones held by handlers
// and the ones waiting in memory), however many the stream holds; the
// default Prefetch is 16 per handler.
//
// The cases run at once, each on its own server: each spends most of its
// time waiting for Stop to let the pull requests expire (at least 1s), and
// as parallel subtests -parallel (GOMAXPROCS, 2 on a small machine) would
// queue them.
func TestPrefetchBoundsWaitingEvents(t *testing.T) {
	t.Parallel()
	var cases sync.WaitGroup
	defer cases.Wait()
	for _, tc := range []struct {
		name                  string
		concurrency, prefetch int
		want                  int // most events delivered and unanswered
	}{
		{"one handler", 1, 3, 1 + 3},
		{"handlers", 3, 5, 3 + 5},
		{"no prefetch", 2, -1, 2 + 1}, // one event waits for a free handler
		{"default", 2, 0, 2 + 2*16},
	} {
		cases.Go(func() {
			t.Run(tc.name, func(t *testing.T) {
				e := newEnv(t)
				e.publishOrders(t, 100)
				var started atomic.Int32
				release := make(chan struct{})
				s := events.NewSubscriber(e.js, events.Consumer{Stream: "ORDERS", Durable: "bounded",
					Concurrency: tc.concurrency, Prefetch: tc.prefetch, FetchWait: 100 * time.Millisecond, AckWait: longAckWait},
					func(context.Context, events.Event[orderCreated]) error {
						started.Add(1)
						<-release
						return nil
					})
				if err := s.Start(context.Background()); err != nil {
					t.Fatal(err)
				}
				waitFor(t, "every handler busy", func() bool { return started.Load() == int32(tc.concurrency) })
				time.Sleep(200 * time.Millisecond) // room for pulls that would overshoot the bound
				info := consumerInfo(t, e.js, "bounded")
				close(release)
				if err := s.Stop(context.Background()); err != nil {
					t.Fatal(err)
				}
				if got := info.NumAckPending; got > tc.want || got < tc.concurrency {
					t.Errorf("with every handler busy: %d events delivered and unanswered, want %d to %d", got, tc.concurrency, tc.want)
				}
				// Stopped while events flowed, it leaves none to AckWait.
				answered(t, e.js, "bounded")
			})
		})
	}
}

// TestResumesAfterServerRestart: a running Subscriber keeps consuming after
// its server restarts (same port, same store), without being restarted.
func TestResumesAfterServerRestart(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	got := make(chan int, 10)
	start(t, e.js, events.Consumer{Stream: "ORDERS", Durable: "survivor", Concurrency: 2, FetchWait: time.Second},
		func(_ context.Context, ev events.Event[orderCreated]) error { got <- ev.Data.Order; return nil })
	pub := events.NewPublisher[orderCreated](e.js, "orders.created")
	if _, err := pub.Publish(context.Background(), "before", orderCreated{Order: 1}); err != nil {
		t.Fatal(err)
	}
	if order := <-got; order != 1 {
		t.Fatalf("before the restart: got order %d, want 1", order)
	}
	e.restart(t)
	waitFor(t, "a publish after the restart", func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_, err := pub.Publish(ctx, "after", orderCreated{Order: 2})
		return err == nil
	})
	select {
	case order := <-got:
		if order != 2 {
			t.Fatalf("after the restart: got order %d, want 2", order)
		}
	case <-time.After(30 * time.Second): // a guard against a hang, not a timing assertion
		t.Fatal("the event published after the restart was not handled")
	}
}

// TestResumesAfterConsumerRecreated: when the durable consumer is deleted
// under a running Subscriber and declared again (by another instance's
// Start, say), the Subscriber consumes from the new one.
func TestResumesAfterConsumerRecreated(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cfg := events.Consumer{Stream: "ORDERS", Durable: "phoenix", FetchWait: 100 * time.Millisecond}
	got := make(chan string, 10)
	start(t, e.js, cfg, func(_ context.Context, ev events.Event[orderCreated]) error { got <- ev.ID; return nil })
	if err := e.js.DeleteConsumer(context.Background(), "ORDERS", "phoenix"); err != nil {
		t.Fatal(err)
	}
	other := events.NewSubscriber(e.js, cfg, func(context.Context, events.Event[orderCreated]) error { return nil })
	if err := other.Start(context.Background()); err != nil { // declares the consumer again
		t.Fatal(err)
	}
	if err := other.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := events.NewPublisher[orderCreated](e.js, "orders.created").Publish(context.Background(), "again", orderCreated{}); err != nil {
		t.Fatal(err)
	}
	select {
	case id := <-got:
		if id != "again" {
			t.Fatalf("got event %q, want again", id)
		}
	case <-time.After(30 * time.Second): // a guard against a hang, not a timing assertion
		t.Fatal("the event published to the declared-again consumer was not handled")
	}
}

func consumerInfo(t *testing.T, js jetstream.JetStream, durable string) *jetstream.ConsumerInfo {
	t.Helper()
	cons, err := js.Consumer(context.Background(), "ORDERS", durable)
	if err != nil {
		t.Fatal(err)
	}
	info, err := cons.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return info
}

// answered waits until the server has applied the answers of a stopped
// subscriber, and returns the consumer's state then. A handler's ack is sent
// without waiting for the server, which applies it a moment later, so a
// look right after Stop can still count it as unanswered. Give the consumer
// an AckWait well above waitFor's bound (longAckWait): an event left
// unanswered then stays so until the bound fails the test, rather than
// passing for answered by going back for redelivery.
func answered(t *testing.T, js jetstream.JetStream, durable string) *jetstream.ConsumerInfo {
	t.Helper()
	var info *jetstream.ConsumerInfo
	waitFor(t, "every event delivered to be answered", func() bool {
		info = consumerInfo(t, js, durable)
		return info.NumAckPending == 0
	})
	return info
}

// longAckWait outlasts waitFor's bound (see answered).
const longAckWait = 2 * time.Minute
