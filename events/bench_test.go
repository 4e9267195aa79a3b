package events_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/gantrykit/gantry/events"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// BenchmarkPublish compares a typed publish (JSON, headers, ack awaited)
// with raw jetstream PublishMsg of the same JSON bytes and Nats-Msg-Id, on
// the same server, stream and connection.
func BenchmarkPublish(b *testing.B) {
	e := newEnv(b)
	body := []byte(`{"order":42,"sku":"abc"}`)
	b.Run("raw-jetstream", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			i++
			msg := &nats.Msg{Subject: "orders.raw", Data: body, Header: nats.Header{}}
			msg.Header.Set(jetstream.MsgIDHeader, "raw-"+strconv.Itoa(i))
			if _, err := e.js.PublishMsg(context.Background(), msg); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("gantry-typed", func(b *testing.B) {
		pub := events.NewPublisher[orderCreated](e.js, "orders.typed")
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			i++
			if _, err := pub.Publish(context.Background(), "typed-"+strconv.Itoa(i), orderCreated{Order: 42, SKU: "abc"}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
