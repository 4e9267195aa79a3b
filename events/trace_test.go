package events_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/gantrykit/gantry/events"
	"github.com/gantrykit/gantry/telemetry"
)

// One trace spans an HTTP request, the service call it makes, the event it
// publishes and the consumer's handler, with every parent link intact.
func TestTraceSpansHTTPToConsumer(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	tracer := tp.Tracer("test")
	prop := propagation.TraceContext{}
	pub := events.NewPublisher[orderCreated](e.js, "orders.created", events.WithTracerProvider(tp))

	handled := make(chan struct{})
	var rid string
	start(t, e.js, events.Consumer{Stream: "ORDERS", Durable: "traced", FetchWait: 100 * time.Millisecond},
		func(ctx context.Context, ev events.Event[orderCreated]) error {
			rid = telemetry.RequestID(ctx)
			_, span := tracer.Start(ctx, "reserve stock")
			span.End()
			close(handled)
			return nil
		}, events.WithTracerProvider(tp))

	// The HTTP server of the orders service: extract, serve, publish.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := prop.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
		ctx, span := tracer.Start(ctx, "POST /v1/orders", trace.WithSpanKind(trace.SpanKindServer))
		defer span.End()
		ctx = telemetry.WithRequestID(ctx, "rid-event")
		ctx, svc := tracer.Start(ctx, "orders.Create")
		defer svc.End()
		if _, err := pub.Publish(ctx, "o-42", orderCreated{Order: 42}); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	}))
	defer srv.Close()

	ctx, client := tracer.Start(context.Background(), "client", trace.WithSpanKind(trace.SpanKindClient))
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL, nil)
	prop.Inject(ctx, propagation.HeaderCarrier(req.Header))
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("POST: %v %v", resp, err)
	}
	resp.Body.Close()
	client.End()
	<-handled

	chain := []string{"client", "POST /v1/orders", "orders.Create", "publish orders.created", "process orders.created", "reserve stock"}
	spans := map[string]sdktrace.ReadOnlySpan{}
	waitFor(t, "every span to end", func() bool {
		for _, s := range rec.Ended() {
			spans[s.Name()] = s
		}
		return len(spans) == len(chain)
	})
	for i, name := range chain {
		s := spans[name]
		if s.SpanContext().TraceID() != client.SpanContext().TraceID() {
			t.Errorf("%s: trace %v, want %v", name, s.SpanContext().TraceID(), client.SpanContext().TraceID())
		}
		if i > 0 && s.Parent().SpanID() != spans[chain[i-1]].SpanContext().SpanID() {
			t.Errorf("%s: parent %v, want %s (%v)", name, s.Parent().SpanID(), chain[i-1], spans[chain[i-1]].SpanContext().SpanID())
		}
	}
	if k := spans["publish orders.created"].SpanKind(); k != trace.SpanKindProducer {
		t.Errorf("publish span kind %v, want producer", k)
	}
	if k := spans["process orders.created"].SpanKind(); k != trace.SpanKindConsumer {
		t.Errorf("process span kind %v, want consumer", k)
	}
	if rid != "rid-event" {
		t.Errorf("handler's request ID %q, want the publisher's rid-event", rid)
	}
	for name, want := range map[string]map[string]string{
		"publish orders.created": {"messaging.operation.type": "send", "messaging.operation.name": "publish"},
		"process orders.created": {"messaging.operation.type": "process", "messaging.operation.name": "process", "messaging.consumer.group.name": "traced"},
	} {
		want["messaging.system"], want["messaging.destination.name"], want["messaging.message.id"] = "nats", "orders.created", "o-42"
		got := map[string]string{}
		for _, kv := range spans[name].Attributes() {
			got[string(kv.Key)] = kv.Value.String()
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: %s = %q, want %q", name, k, got[k], v)
			}
		}
		if got["messaging.message.body.size"] == "" {
			t.Errorf("%s: no messaging.message.body.size", name)
		}
	}
}
