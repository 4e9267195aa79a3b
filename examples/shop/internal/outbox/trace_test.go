package outbox

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/gantrykit/gantry/events"
	"github.com/gantrykit/gantry/examples/shop/internal/sqldb/sqldbtest"
	"github.com/gantrykit/gantry/telemetry"
)

// TestRelayKeepsTheRequestsTraceBothEngines: a row written in a request's trace is
// published as a child of that request's span, on both engines, and the
// message carries that trace to its consumers (the traceparent header a
// plain NATS subscriber reads); a row written outside any trace is
// published in a trace of its own. The request's ID travels the same way.
func TestRelayKeepsTheRequestsTraceBothEngines(t *testing.T) {
	sqldbtest.Engines(t, "o", testRelayKeepsTheRequestsTrace)
}

func testRelayKeepsTheRequestsTrace(t *testing.T, dsn string) {
	db, js := setupOn(t, dsn)
	ctx := context.Background()
	if err := EnsureStreams(ctx, js); err != nil {
		t.Fatal(err)
	}
	headers := make(chan nats.Header, 2)
	sub, err := js.Conn().Subscribe("orders.>", func(m *nats.Msg) { headers <- m.Header })
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()

	request := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID:    trace.TraceID{0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36},
		SpanID:     trace.SpanID{0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7},
		TraceFlags: trace.FlagsSampled,
		Remote:     true,
	})
	for _, w := range []struct {
		id  string
		ctx context.Context
	}{{"in-trace", telemetry.WithRequestID(trace.ContextWithSpanContext(ctx, request), "req-7")}, {"no-trace", ctx}} {
		tx, err := db.Begin()
		if err != nil {
			t.Fatal(err)
		}
		if err := Add(w.ctx, tx, w.id, "orders.created", map[string]string{"id": w.id}); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}

	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	defer tp.Shutdown(ctx)
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	r := &Relay{DB: db, JetStream: func() jetstream.JetStream { return js }, Interval: time.Millisecond,
		Options: []events.Option{events.WithTracerProvider(tp)}}
	go func() { done <- r.Run(rctx) }()
	waitUnpublished(t, db, 0)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	byID := map[string]nats.Header{}
	for range 2 {
		select {
		case h := <-headers:
			byID[h.Get(jetstream.MsgIDHeader)] = h
		case <-time.After(10 * time.Second):
			t.Fatalf("got %d messages, want 2", len(byID))
		}
	}
	parentOf := map[string]trace.SpanContext{}
	for _, s := range spans.Ended() {
		if s.SpanKind() == trace.SpanKindProducer {
			for _, a := range s.Attributes() {
				if a.Key == "messaging.message.id" {
					parentOf[a.Value.AsString()] = s.Parent()
				}
			}
		}
	}
	if p := parentOf["in-trace"]; p.TraceID() != request.TraceID() || p.SpanID() != request.SpanID() {
		t.Errorf("publish of the row written in the request: parent %v/%v, want the request's span %v/%v",
			p.TraceID(), p.SpanID(), request.TraceID(), request.SpanID())
	}
	if tp := byID["in-trace"].Get("Traceparent"); len(tp) < 35 || tp[3:35] != request.TraceID().String() {
		t.Errorf("message of the row written in the request: traceparent %q, want trace %s", tp, request.TraceID())
	}
	if id := byID["in-trace"].Get(telemetry.HeaderRequestID); id != "req-7" {
		t.Errorf("message of the row written in the request: X-Request-Id %q, want the request's req-7", id)
	}
	if id := byID["no-trace"].Get(telemetry.HeaderRequestID); id == "req-7" {
		t.Errorf("message of the row written outside the request carries its request ID")
	}
	if p := parentOf["no-trace"]; p.IsValid() {
		t.Errorf("publish of the row written outside a trace: parent %v, want none (a root)", p.TraceID())
	}
	if tp := byID["no-trace"].Get("Traceparent"); len(tp) >= 35 && tp[3:35] == request.TraceID().String() {
		t.Errorf("message of the row written outside a trace carries the request's trace: %q", tp)
	}
}
