package events_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/gantrykit/gantry/events"
)

// sink is the service's state: how many times each event was applied.
type sink struct {
	mu      sync.Mutex
	applied map[string]int
}

func (s *sink) apply(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.applied[id]++
	return len(s.applied)
}

func (s *sink) unique() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.applied)
}

// countingStore counts the deliveries the idempotent helper skipped.
type countingStore struct {
	events.MemoryStore
	skipped atomic.Int64
}

func (c *countingStore) Once(ctx context.Context, id string, apply func(context.Context) error) (bool, error) {
	ok, err := c.MemoryStore.Once(ctx, id, apply)
	if !ok && err == nil {
		c.skipped.Add(1)
	}
	return ok, err
}

// 10,000 events, 10% published twice, plus one poison event; the consumer's
// connection dies (no more acks) after ~3,000 applies and a new instance
// resumes the same durable. Every event is applied exactly once and the
// poison event is dead-lettered after MaxDeliver.
func TestAcceptanceCrashAndResume(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("acceptance test; run without -short")
	}
	const n, killAt = 10000, 3000
	e := newEnv(t)
	pub := events.NewPublisher[orderCreated](e.js, "orders.created")

	var dups atomic.Int64
	ids := make(chan int)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for i := range ids {
				id := fmt.Sprintf("ev-%05d", i)
				times := 1
				if i%10 == 0 {
					times = 2
				}
				for range times {
					ack, err := pub.Publish(context.Background(), id, orderCreated{Order: i})
					if err != nil {
						t.Error(err)
						return
					}
					if ack.Duplicate {
						dups.Add(1)
					}
				}
			}
		})
	}
	for i := range n {
		ids <- i
	}
	close(ids)
	wg.Wait()
	if _, err := pub.Publish(context.Background(), "poison", orderCreated{Order: -1}); err != nil {
		t.Fatal(err)
	}
	if got := streamMsgs(t, e.js, "ORDERS"); got != n+1 || dups.Load() != n/10 {
		t.Fatalf("stream holds %d (duplicates acked %d), want %d (%d)", got, dups.Load(), n+1, n/10)
	}

	s := &sink{applied: map[string]int{}}
	store := &countingStore{}
	var poisonTries, redeliveries atomic.Int64
	cfg := events.Consumer{Stream: "ORDERS", Durable: "ledger", Concurrency: 8, MaxDeliver: 4,
		AckWait: time.Second, Backoff: []time.Duration{10 * time.Millisecond}, FetchWait: 100 * time.Millisecond}
	handler := func(kill func()) events.Handler[orderCreated] {
		return events.Idempotent(store, func(_ context.Context, ev events.Event[orderCreated]) error {
			if ev.Delivery > 1 {
				redeliveries.Add(1)
			}
			if ev.ID == "poison" {
				poisonTries.Add(1)
				return errors.New("cannot apply")
			}
			if s.apply(ev.ID) == killAt && kill != nil {
				kill() // the process dies: no more acks from this instance
			}
			return nil
		})
	}

	nc1, js1 := e.connect(t)
	killed := make(chan struct{})
	first := events.NewSubscriber(js1, cfg, handler(func() { nc1.Close(); close(killed) }))
	if err := first.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	<-killed
	if err := first.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	atKill := s.unique()

	_, js2 := e.connect(t)
	start(t, js2, cfg, handler(nil))
	cons, err := e.js.Consumer(context.Background(), "ORDERS", "ledger")
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "every event to be answered", func() bool {
		info, err := cons.Info(context.Background())
		return err == nil && info.NumPending == 0 && info.NumAckPending == 0 && s.unique() == n
	})
	dl := deadLetter(t, e.js, 1)

	lost, twice := 0, 0
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range n {
		switch s.applied[fmt.Sprintf("ev-%05d", i)] {
		case 0:
			lost++
		case 1:
		default:
			twice++
		}
	}
	t.Logf("applied at kill %d; redeliveries %d, skipped by the idempotent store %d; poison tries %d",
		atKill, redeliveries.Load(), store.skipped.Load(), poisonTries.Load())
	if lost != 0 || twice != 0 || len(s.applied) != n {
		t.Fatalf("unique %d, lost %d, applied twice %d; want %d, 0, 0", len(s.applied), lost, twice, n)
	}
	if store.skipped.Load() == 0 {
		t.Error("no redelivery of an applied-but-unacked event was skipped, want at least the one applied at the kill")
	}
	if dl.Header.Get(jetstream.MsgIDHeader) != "poison" || poisonTries.Load() != 4 {
		t.Errorf("dead letter %v after %d tries, want poison after 4", dl.Header, poisonTries.Load())
	}
}
