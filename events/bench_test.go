package events_test

import (
	"context"
	"encoding/json"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/gantrykit/gantry/events"
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

// BenchmarkSubscribe compares consuming events that are already stored:
// raw jetstream Consume (JSON decode and Ack in the callback, nats.go's
// defaults) against a Subscriber, on the same server and connection. One
// op is one event decoded and acknowledged; read the ratio, not the time.
func BenchmarkSubscribe(b *testing.B) {
	e := newEnv(b)
	run := 0
	next := func() (subject, durable string) {
		run++
		return "orders.sub" + strconv.Itoa(run), "sub" + strconv.Itoa(run)
	}
	b.Run("raw-consume", func(b *testing.B) {
		subject, durable := next()
		publishN(b, e.js, subject, b.N)
		cons, err := e.js.CreateOrUpdateConsumer(context.Background(), "ORDERS", jetstream.ConsumerConfig{
			Durable: durable, FilterSubject: subject, AckPolicy: jetstream.AckExplicitPolicy,
		})
		if err != nil {
			b.Fatal(err)
		}
		done, seen := counter(b.N)
		b.ReportAllocs()
		b.ResetTimer()
		cc, err := cons.Consume(func(m jetstream.Msg) {
			var v orderCreated
			if json.Unmarshal(m.Data(), &v) == nil {
				_ = m.Ack()
				seen()
			}
		})
		if err != nil {
			b.Fatal(err)
		}
		<-done
		b.StopTimer()
		cc.Stop()
	})
	for _, conc := range []int{1, 16} {
		b.Run("gantry-c"+strconv.Itoa(conc), func(b *testing.B) {
			subject, durable := next()
			publishN(b, e.js, subject, b.N)
			done, seen := counter(b.N)
			s := events.NewSubscriber(e.js, events.Consumer{Stream: "ORDERS", Durable: durable, Subject: subject, Concurrency: conc},
				func(context.Context, events.Event[orderCreated]) error { seen(); return nil })
			b.ReportAllocs()
			b.ResetTimer()
			if err := s.Start(context.Background()); err != nil {
				b.Fatal(err)
			}
			<-done
			b.StopTimer()
			if err := s.Stop(context.Background()); err != nil {
				b.Fatal(err)
			}
		})
	}
}

// counter returns a channel closed after seen has been called n times.
func counter(n int) (<-chan struct{}, func()) {
	var got atomic.Int64
	done := make(chan struct{})
	return done, func() {
		if got.Add(1) == int64(n) {
			close(done)
		}
	}
}

// publishN stores n events on subject as a Publisher would (same headers),
// asynchronously so that setting up a benchmark stays quick.
func publishN(b *testing.B, js jetstream.JetStream, subject string, n int) {
	b.Helper()
	body := []byte(`{"order":42,"sku":"abc"}`)
	for i := range n {
		msg := &nats.Msg{Subject: subject, Data: body, Header: nats.Header{}}
		msg.Header.Set(jetstream.MsgIDHeader, subject+"-"+strconv.Itoa(i))
		msg.Header.Set(events.HeaderType, subject)
		msg.Header.Set(events.HeaderVersion, "1")
		msg.Header.Set(events.HeaderContentType, "application/json")
		if _, err := js.PublishMsgAsync(msg); err != nil {
			b.Fatal(err)
		}
		if i%1000 == 999 || i == n-1 {
			select { // a window of 1000 stays under nats.go's stall limit
			case <-js.PublishAsyncComplete():
			case <-time.After(time.Minute):
				b.Fatal("async publishes not acknowledged within a minute")
			}
		}
	}
}
