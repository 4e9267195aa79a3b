package nats_test

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
)

// BenchmarkRequestReply compares a typed call (JSON both ways, headers for
// deadline and trace context, error kinds) with raw nats.go Request on the
// same connection and server.
func BenchmarkRequestReply(b *testing.B) {
	nc := connect(b)
	serve(b, nc, "typed", hello)
	raw, err := nc.QueueSubscribe("raw", "greeter", func(m *nats.Msg) { _ = m.Respond(append([]byte("hello "), m.Data...)) })
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = raw.Unsubscribe() })

	b.Run("raw-nats.go", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := nc.Request("raw", []byte(`{"name":"ada"}`), 5*time.Second); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("gantry-typed", func(b *testing.B) {
		call := client(nc, "typed")
		b.ReportAllocs()
		for b.Loop() {
			if _, err := call(context.Background(), greetReq{Name: "ada"}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
