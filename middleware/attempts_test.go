package middleware_test

import (
	"context"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/gantrykit/gantry/endpoint"
	"github.com/gantrykit/gantry/middleware"
)

// For starts a call's trace with a client span; ForTracedAttempts, for a
// transport that traces each attempt as a client span, with an INTERNAL
// one. Both keep the rest of the chain.
func TestForTracedAttemptsSpanKind(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	deps := middleware.Deps{Service: "svc", TracerProvider: sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))}
	c, err := middleware.NewClient(middleware.ClientConfig{}, deps)
	if err != nil {
		t.Fatal(err)
	}
	call := func(f endpoint.Func[int, int]) {
		if _, err := f(context.Background(), 1); err != nil {
			t.Fatal(err)
		}
	}
	id := func(_ context.Context, n int) (int, error) { return n, nil }
	call(endpoint.Wrap(id, c.For("other.get")...))
	call(endpoint.Wrap(id, c.ForTracedAttempts("other.get")...))
	ended := rec.Ended()
	if len(ended) != 2 || ended[0].SpanKind() != trace.SpanKindClient || ended[1].SpanKind() != trace.SpanKindInternal {
		t.Fatalf("got %v, want a client span from For and an internal one from ForTracedAttempts", ended)
	}
	if len(c.For("x")) != len(c.ForTracedAttempts("x")) {
		t.Error("ForTracedAttempts changed the chain's length")
	}
}
