package itemevents

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/gantrykit/gantry/events"
	"github.com/gantrykit/gantry/transport/nats/embedded"

	"github.com/gantrykit/gantry/templates/service/internal/items"
)

// TestCreatedEventsAreObservedOrDeadLettered runs against an embedded
// nats-server with JetStream: a created item is published and observed; an
// invalid event lands in the dead-letter stream without retries.
func TestCreatedEventsAreObservedOrDeadLettered(t *testing.T) {
	srv, err := embedded.Start(embedded.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	nc, err := nats.Connect(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	pub := &Publisher{}
	svc := items.NewService(items.NewMemory(), pub)
	if err := pub.Start(ctx, js, 1); err != nil {
		t.Fatal(err)
	}
	cfg := Consumer()
	cfg.FetchWait = 100 * time.Millisecond
	sub := events.NewSubscriber(js, cfg, Handler(svc))
	if err := sub.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := sub.Stop(context.Background()); err != nil {
			t.Error(err)
		}
	})

	if _, err := svc.Create(ctx, items.CreateRequest{Name: "lamp"}); err != nil {
		t.Fatal(err)
	}
	for svc.Observed() != 1 {
		select {
		case <-ctx.Done():
			t.Fatalf("Observed() = %d, want 1: the event was not handled", svc.Observed())
		case <-time.After(10 * time.Millisecond):
		}
	}

	bad := events.NewPublisher[items.Created](js, Subject)
	if _, err := bad.Publish(ctx, "bad-1", items.Created{ID: "bad-1"}); err != nil {
		t.Fatal(err)
	}
	dlq, err := js.Stream(ctx, Stream+"_DLQ")
	if err != nil {
		t.Fatal(err)
	}
	var msg *jetstream.RawStreamMsg
	for msg == nil {
		msg, err = dlq.GetLastMsgForSubject(ctx, "dlq."+Stream+"."+Durable)
		if err != nil && !errors.Is(err, jetstream.ErrMsgNotFound) {
			t.Fatal(err)
		}
		select {
		case <-ctx.Done():
			t.Fatal("the invalid event did not reach the dead-letter stream")
		case <-time.After(10 * time.Millisecond):
		}
	}
	var got items.Created
	if err := json.Unmarshal(msg.Data, &got); err != nil || got.ID != "bad-1" {
		t.Errorf("dead letter = %s (%v), want the event bad-1", msg.Data, err)
	}
	if n := msg.Header.Get(events.HeaderDeadDeliveries); n != "1" {
		t.Errorf("%s = %q, want 1 (no retries for an invalid event)", events.HeaderDeadDeliveries, n)
	}
	if got := svc.Observed(); got != 1 {
		t.Errorf("Observed() = %d, want 1", got)
	}
}
