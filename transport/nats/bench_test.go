package nats_test

import (
	"context"
	"encoding/json"
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
	// What the typed path replaces: a hand-written JSON handler and call.
	rawJSON, err := nc.QueueSubscribe("rawjson", "greeter", func(m *nats.Msg) {
		var r greetReq
		if err := json.Unmarshal(m.Data, &r); err != nil {
			_ = m.Respond([]byte(`{"error":"bad request"}`))
			return
		}
		body, _ := json.Marshal(greetResp{Message: "hello " + r.Name})
		_ = m.Respond(body)
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = rawJSON.Unsubscribe() })

	b.Run("raw-nats.go", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := nc.Request("raw", []byte(`{"name":"ada"}`), 5*time.Second); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("raw-nats.go-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			body, _ := json.Marshal(greetReq{Name: "ada"})
			m, err := nc.Request("rawjson", body, 5*time.Second)
			if err != nil {
				b.Fatal(err)
			}
			var r greetResp
			if err := json.Unmarshal(m.Data, &r); err != nil {
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
