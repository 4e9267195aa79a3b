package events_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gantrykit/gantry/events"
)

// The nats-server restarts (same port, same file store) while a publisher
// is publishing; the publisher retries each failed publish with the same
// event ID. The stream ends with every event exactly once and a consumer
// gets them all.
func TestAcceptanceServerRestartMidPublish(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("acceptance test; run without -short")
	}
	const n, restartAt = 2000, 500
	e := newEnv(t)
	// An attempt sent as the server goes down is never answered; a short
	// attempt timeout sends it again sooner (its length is not what this
	// test proves, and a resend is deduplicated by its ID either way).
	pub := events.NewPublisher[orderCreated](e.js, "orders.created", events.WithAttemptTimeout(250*time.Millisecond))

	var acked, retries atomic.Int64
	done := make(chan error, 1)
	go func() {
		for i := range n {
			id := fmt.Sprintf("r-%05d", i)
			for attempt := 0; ; attempt++ {
				if attempt == 1000 {
					done <- fmt.Errorf("event %s: gave up after %d attempts", id, attempt)
					return
				}
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				_, err := pub.Publish(ctx, id, orderCreated{Order: i})
				cancel()
				if err == nil {
					break
				}
				retries.Add(1)
				time.Sleep(10 * time.Millisecond)
			}
			acked.Add(1)
		}
		done <- nil
	}()

	waitFor(t, "publishes before the restart", func() bool { return acked.Load() >= restartAt })
	atRestart := acked.Load()
	e.restart(t)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	t.Logf("restarted after %d acks; %d publishes retried", atRestart, retries.Load())
	if got := streamMsgs(t, e.js, "ORDERS"); got != n {
		t.Fatalf("stream holds %d events, want %d", got, n)
	}

	seen := make(chan string, n)
	start(t, e.js, events.Consumer{Stream: "ORDERS", Durable: "audit", Concurrency: 4, FetchWait: 100 * time.Millisecond},
		func(_ context.Context, ev events.Event[orderCreated]) error { seen <- ev.ID; return nil })
	unique := map[string]bool{}
	bound := time.After(time.Minute) // a guard against a hang, not a timing assertion
	for len(unique) < n {
		select {
		case id := <-seen:
			unique[id] = true
		case <-bound:
			t.Fatalf("consumed %d unique, want %d", len(unique), n)
		}
	}
}
