package events_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/gantrykit/gantry/events"
	"github.com/gantrykit/gantry/internal/natscluster"
	natst "github.com/gantrykit/gantry/transport/nats"
)

// TestPublishAcrossNodeKills publishes on a three-node cluster while the
// stream's leader, then the node the publisher is connected to, are killed
// with SIGKILL and restarted: every Publish returns an ack (retried with
// the same ID where an ack was lost), and the R3 stream ends holding each
// event exactly once.
func TestPublishAcrossNodeKills(t *testing.T) {
	c := natscluster.Start(t, natscluster.Options{})
	nc, err := natst.Connect(c.URLs(), t.Name(), nil, nats.ReconnectWait(50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	// A deadline for the JetStream API calls: without one each has the
	// client's default 5 s, which declaring an R3 stream can exceed on a
	// loaded machine (the cluster elects its leaders meanwhile).
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if _, err := events.EnsureStream(ctx, js, jetstream.StreamConfig{Name: "ORDERS", Subjects: []string{"orders.>"}, Replicas: 3}); err != nil {
		t.Fatal(err)
	}
	pub := events.NewPublisher[orderCreated](js, "orders.created", events.WithAttemptTimeout(500*time.Millisecond))

	const total = 600
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		failures []error
		acked    int
	)
	next := make(chan int)
	for range 4 {
		wg.Go(func() {
			for i := range next {
				pctx, cancel := context.WithTimeout(ctx, 60*time.Second)
				_, err := pub.Publish(pctx, fmt.Sprintf("order-%d", i), orderCreated{Order: i})
				cancel()
				mu.Lock()
				if err != nil {
					failures = append(failures, err)
				} else {
					acked++
				}
				mu.Unlock()
			}
		})
	}
	kills := map[int]func(){
		150: func() { l := c.StreamLeader(t, "ORDERS"); c.Kill(l); c.Restart(l) },
		350: func() {
			n := c.Index(nc.ConnectedServerName())
			if n < 0 {
				t.Errorf("connected to %q, not a node of the cluster", nc.ConnectedServerName())
				return
			}
			c.Kill(n)
			c.Restart(n)
		},
	}
	var faults sync.WaitGroup
	for i := range total {
		if kill := kills[i]; kill != nil {
			faults.Go(kill) // publishing goes on meanwhile
		}
		next <- i
		time.Sleep(2 * time.Millisecond)
	}
	close(next)
	wg.Wait()
	faults.Wait()
	if len(failures) > 0 {
		t.Fatalf("%d of %d publishes failed, first: %v", len(failures), total, failures[0])
	}
	s, err := js.Stream(ctx, "ORDERS")
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if acked != total || info.State.Msgs != total {
		t.Errorf("acked %d, stream holds %d; want %d and %d (each event once)", acked, info.State.Msgs, total, total)
	}
}

// TestConsumeAcrossNodeKills: two subscribers sharing one durable
// consumer, connected to different nodes, keep handling while the
// consumer's leader node is killed and restarted: every event is handled,
// and through Idempotent applied once.
func TestConsumeAcrossNodeKills(t *testing.T) {
	c := natscluster.Start(t, natscluster.Options{})
	// A deadline for the JetStream API calls: without one each has the
	// client's default 5 s, which declaring an R3 stream can exceed on a
	// loaded machine (the cluster elects its leaders meanwhile).
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	connect := func(url string) jetstream.JetStream {
		// Every URL, this node's first: each subscriber starts on its own node.
		nc, err := natst.Connect(url+","+c.URLs(), t.Name(), nil, nats.ReconnectWait(50*time.Millisecond), nats.DontRandomize())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(nc.Close)
		js, _ := jetstream.New(nc)
		return js
	}
	js := connect(c.URL(0))
	if _, err := events.EnsureStream(ctx, js, jetstream.StreamConfig{Name: "ORDERS", Subjects: []string{"orders.>"}, Replicas: 3}); err != nil {
		t.Fatal(err)
	}
	var (
		store   events.MemoryStore
		mu      sync.Mutex
		applied = map[int]int{}
	)
	h := events.Idempotent(&store, func(_ context.Context, ev events.Event[orderCreated]) error {
		mu.Lock()
		applied[ev.Data.Order]++
		mu.Unlock()
		return nil
	})
	cfg := events.Consumer{Stream: "ORDERS", Durable: "stock", Concurrency: 4, AckWait: 2 * time.Second, FetchWait: time.Second}
	for i := 1; i <= 2; i++ {
		s := events.NewSubscriber(connect(c.URL(i)), cfg, h)
		if err := s.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Stop(context.Background()) })
	}
	if dlq, err := js.Stream(ctx, "ORDERS_DLQ"); err != nil || dlq.CachedInfo().Config.Replicas != 3 {
		t.Errorf("dead-letter stream: %v; want it with the stream's 3 replicas", err)
	}
	pub := events.NewPublisher[orderCreated](js, "orders.created", events.WithAttemptTimeout(500*time.Millisecond))
	const total = 300
	for i := range total {
		if i == 100 {
			cons, err := js.Consumer(ctx, "ORDERS", "stock")
			if err != nil {
				t.Fatal(err)
			}
			info, err := cons.Info(ctx)
			if err != nil || info.Cluster == nil {
				t.Fatalf("consumer info: %+v, %v", info, err)
			}
			l := c.Index(info.Cluster.Leader)
			c.Kill(l)
			c.Restart(l)
		}
		pctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		if _, err := pub.Publish(pctx, fmt.Sprintf("order-%d", i), orderCreated{Order: i}); err != nil {
			t.Fatal(err)
		}
		cancel()
	}
	deadline := time.Now().Add(60 * time.Second)
	for store.Len() < total && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	for i := range total {
		if applied[i] != 1 {
			t.Errorf("event %d applied %d times, want once", i, applied[i])
		}
	}
}
