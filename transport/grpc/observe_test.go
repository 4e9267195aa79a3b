package grpc_test

import (
	"context"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	grpct "github.com/gantrykit/gantry/transport/grpc"

	"github.com/gantrykit/gantry/telemetry"
)

func TestTracingAndMetrics(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	reg := prometheus.NewRegistry()
	var serverSpan trace.SpanContext
	var serverRID string
	_, cc := start(t, func(ctx context.Context, name string) (string, error) {
		serverSpan = trace.SpanContextFromContext(ctx)
		serverRID = telemetry.RequestID(ctx)
		return name, nil
	}, grpct.WithTracerProvider(tp), grpct.WithMetrics(metricsOn(t, reg)))

	ctx, parent := tp.Tracer("test").Start(context.Background(), "parent")
	ctx = telemetry.WithRequestID(ctx, "rid-grpc")
	if _, err := greetClient(cc)(ctx, "x"); err != nil {
		t.Fatal(err)
	}
	parent.End()
	if serverSpan.TraceID() != parent.SpanContext().TraceID() {
		t.Fatalf("server trace %v, want the client's %v", serverSpan.TraceID(), parent.SpanContext().TraceID())
	}
	if serverRID != "rid-grpc" {
		t.Errorf("server request ID %q, want the client's rid-grpc", serverRID)
	}
	byName := map[string]sdktrace.ReadOnlySpan{}
	for _, s := range rec.Ended() {
		byName[s.Name()+"/"+s.SpanKind().String()] = s
	}
	client, server := byName["gantry.example.v1.Greeter/Greet/client"], byName["gantry.example.v1.Greeter/Greet/server"]
	if client == nil || server == nil {
		t.Fatalf("spans %v, want a client and a server span for Greet", byName)
	}
	if client.Parent().SpanID() != parent.SpanContext().SpanID() || server.Parent().SpanID() != client.SpanContext().SpanID() {
		t.Errorf("parent links broken: client's parent %v (want %v), server's parent %v (want %v)",
			client.Parent().SpanID(), parent.SpanContext().SpanID(), server.Parent().SpanID(), client.SpanContext().SpanID())
	}
	for _, name := range []string{"grpc_server_handling_seconds", "grpc_client_handling_seconds"} {
		if n, err := testutil.GatherAndCount(reg, name); err != nil || n != 1 {
			t.Errorf("%s: got %d series (%v), want 1", name, n, err)
		}
	}
}
