package kit

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/gantrykit/gantry/internal/logcheck"
)

func TestLogsCarryIdentityAndTrace(t *testing.T) {
	logs := &logcheck.Buffer{}
	exp := &keepExporter{}
	a := newTestApp(t, logs, nil, WithSpanExporter(exp), WithSampler(sdktrace.AlwaysSample()))
	stop := start(t, a)

	ctx, span := a.TracerProvider().Tracer("test").Start(context.Background(), "work")
	a.Logger().InfoContext(ctx, "inside")
	a.Logger().Info("outside")
	span.End()
	if err := stop(); err != nil {
		t.Fatalf("Run: got %v, want nil", err)
	}

	sc := span.SpanContext()
	var inside, outside map[string]any
	for line := range strings.Lines(logs.String()) {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q is not JSON: %v", line, err)
		}
		switch m["msg"] {
		case "inside":
			inside = m
		case "outside":
			outside = m
		}
	}
	want := map[string]any{"service": "test-svc", "version": "v1.2.3", "instance": a.InstanceID(),
		"trace_id": sc.TraceID().String(), "span_id": sc.SpanID().String()}
	for k, v := range want {
		if inside[k] != v {
			t.Errorf("log inside the span: %s got %v, want %v", k, inside[k], v)
		}
	}
	if _, ok := outside["trace_id"]; ok || outside["service"] != "test-svc" {
		t.Errorf("log outside a span: got %v, want service and no trace_id", outside)
	}
	// Shutdown flushed the span through the batcher.
	spans := exp.get()
	if len(spans) != 1 || spans[0].Name() != "work" {
		t.Fatalf("exported spans: got %d, want the one named work", len(spans))
	}
	res := spans[0].Resource()
	if v, ok := res.Set().Value("service.name"); !ok || v.AsString() != "test-svc" {
		t.Errorf("resource service.name: got %v, want test-svc", v.AsString())
	}
}

func TestTelemetryNotGlobal(t *testing.T) {
	before := otel.GetTracerProvider()
	a := newTestApp(t, nil, nil)
	if otel.GetTracerProvider() != before {
		t.Errorf("New changed the global tracer provider without WithGlobalTelemetry")
	}
	carrier := propagation.MapCarrier{}
	ctx, span := a.TracerProvider().Tracer("t").Start(context.Background(), "s")
	defer span.End()
	a.Propagator().Inject(ctx, carrier)
	if got := trace.SpanContextFromContext(a.Propagator().Extract(context.Background(), carrier)); got.TraceID() != span.SpanContext().TraceID() {
		t.Errorf("traceparent round trip: got %v, want %v", got.TraceID(), span.SpanContext().TraceID())
	}
}

// keepExporter keeps what it exported past Shutdown (the SDK's in-memory
// exporter forgets at Shutdown, which is when the App flushes).
type keepExporter struct {
	mu    sync.Mutex
	spans []sdktrace.ReadOnlySpan
}

func (e *keepExporter) ExportSpans(_ context.Context, s []sdktrace.ReadOnlySpan) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.spans = append(e.spans, s...)
	return nil
}

func (e *keepExporter) Shutdown(context.Context) error { return nil }

func (e *keepExporter) get() []sdktrace.ReadOnlySpan {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]sdktrace.ReadOnlySpan(nil), e.spans...)
}
