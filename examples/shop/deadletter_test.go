package main

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/gantrykit/gantry/events"
)

// TestStockResultForUnknownOrderIsDeadLettered: an event the order service
// can never apply (an outcome for an order it does not have) is not retried
// forever; it goes to the consumer's dead-letter subject with the reason.
func TestStockResultForUnknownOrderIsDeadLettered(t *testing.T) {
	t.Parallel()
	s := testShop(t, "", nil)
	nc, err := nats.Connect(s.NATSURL)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := js.Publish(ctx, "stock.reserved", []byte(`{"order_id":"no-such-order"}`), jetstream.WithMsgID("bogus-1")); err != nil {
		t.Fatal(err)
	}
	for {
		dlq, err := js.Stream(ctx, "STOCK_DLQ")
		if err == nil {
			msg, err := dlq.GetLastMsgForSubject(ctx, "dlq.STOCK.order-settle")
			if err == nil {
				if msg.Header.Get(jetstream.MsgIDHeader) != "bogus-1" || msg.Header.Get(events.HeaderDeadReason) == "" {
					t.Errorf("dead letter headers %v, want the event's ID and a reason", msg.Header)
				}
				return
			}
		}
		select {
		case <-ctx.Done():
			t.Fatal("no dead letter within 20s")
		case <-time.After(50 * time.Millisecond):
		}
	}
}
