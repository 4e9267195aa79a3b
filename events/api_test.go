package events_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/gantrykit/gantry/events"
)

// TestStartSendsALostRequestAgain: a JetStream API request lost without an
// answer (as while a cluster elects its leaders) is sent again after its
// attempt's deadline; Start does not wait for the whole of its context.
// The subscriber's JetStream API goes through a relay that drops the first
// stream info request and passes every other request on, reply subject
// and all, to the server's API.
func TestStartSendsALostRequestAgain(t *testing.T) {
	e := newEnv(t)
	relay, _ := e.connect(t)
	var (
		mu    sync.Mutex
		infos int
	)
	if _, err := relay.Subscribe("LOSSY.API.>", func(m *nats.Msg) {
		suffix := strings.TrimPrefix(m.Subject, "LOSSY.API.")
		if suffix == "STREAM.INFO.ORDERS" {
			mu.Lock()
			infos++
			lost := infos == 1
			mu.Unlock()
			if lost {
				return
			}
		}
		_ = relay.PublishMsg(&nats.Msg{Subject: "$JS.API." + suffix, Reply: m.Reply, Header: m.Header, Data: m.Data})
	}); err != nil {
		t.Fatal(err)
	}
	if err := relay.Flush(); err != nil {
		t.Fatal(err)
	}
	nc, _ := e.connect(t)
	js, err := jetstream.NewWithAPIPrefix(nc, "LOSSY.API")
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan int, 1)
	s := events.NewSubscriber(js, events.Consumer{Stream: "ORDERS", Durable: "lossy"},
		func(_ context.Context, ev events.Event[orderCreated]) error {
			got <- ev.Data.Order
			return nil
		}, events.WithAPIAttempt(200*time.Millisecond))
	// Without a second attempt, Start would wait for the whole of ctx.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.Start(ctx); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { _ = s.Stop(context.Background()) })
	mu.Lock()
	if infos != 2 {
		t.Errorf("stream info requests: got %d, want 2 (the lost one and the one sent again)", infos)
	}
	mu.Unlock()
	e.publishOrders(t, 1)
	select {
	case o := <-got:
		if o != 0 {
			t.Errorf("handled order %d, want 0", o)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the event was not handled through the relayed API")
	}
}
