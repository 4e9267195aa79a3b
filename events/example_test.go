package events_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/gantrykit/gantry/events"
	natst "github.com/gantrykit/gantry/transport/nats"
	"github.com/gantrykit/gantry/transport/nats/embedded"
)

func Example() {
	dir, _ := os.MkdirTemp("", "events-example")
	defer os.RemoveAll(dir)
	srv, _ := embedded.Start(embedded.Options{Dir: dir}) // JetStream in dir
	defer srv.Shutdown()
	nc, _ := natst.Connect(srv.URL(), "example", nil)
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx := context.Background()

	type OrderCreated struct{ Order int }
	if _, err := events.EnsureStream(ctx, js, jetstream.StreamConfig{Name: "ORDERS", Subjects: []string{"orders.>"}}); err != nil {
		fmt.Println(err)
		return
	}

	// The consumer: idempotent, so a redelivered event is applied once.
	var applied events.MemoryStore // a service uses its own database
	shipped := make(chan string, 1)
	sub := events.NewSubscriber(js, events.Consumer{Stream: "ORDERS", Durable: "shipping", FetchWait: 100 * time.Millisecond},
		events.Idempotent(&applied, func(_ context.Context, ev events.Event[OrderCreated]) error {
			shipped <- fmt.Sprintf("ship order %d (event %s, delivery %d)", ev.Data.Order, ev.ID, ev.Delivery)
			return nil
		}))
	if err := sub.Start(ctx); err != nil {
		fmt.Println(err)
		return
	}
	defer sub.Stop(ctx)

	pub := events.NewPublisher[OrderCreated](js, "orders.created")
	ack, _ := pub.Publish(ctx, "order-7-created", OrderCreated{Order: 7})
	again, _ := pub.Publish(ctx, "order-7-created", OrderCreated{Order: 7}) // a retry
	fmt.Println("stored at", ack.Sequence, "retry duplicate:", again.Duplicate)
	fmt.Println(<-shipped)
	// Output:
	// stored at 1 retry duplicate: true
	// ship order 7 (event order-7-created, delivery 1)
}
