package grpc_test

import (
	"context"
	"sync/atomic"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/gantrykit/gantry/telemetry"
	grpct "github.com/gantrykit/gantry/transport/grpc"
)

// countingProvider counts the spans its tracers start, recorded or not.
type countingProvider struct {
	trace.TracerProvider
	starts atomic.Int64
}

func (p *countingProvider) Tracer(name string, opts ...trace.TracerOption) trace.Tracer {
	return countingTracer{p.TracerProvider.Tracer(name, opts...), &p.starts}
}

type countingTracer struct {
	trace.Tracer
	starts *atomic.Int64
}

func (t countingTracer) Start(ctx context.Context, name string, opts ...trace.SpanStartOption) (context.Context, trace.Span) {
	t.starts.Add(1)
	return t.Tracer.Start(ctx, name, opts...)
}

// With WithParentBased, a server starts a span only where its sampler
// records one: below a sampled caller, and for a call without a trace
// context when the root ratio is not 0. Elsewhere the handler still runs in
// the caller's trace, with a request ID.
func TestParentBasedStartsOnlyRecordedSpans(t *testing.T) {
	for _, tc := range []struct {
		name       string
		root       sdktrace.Sampler
		ratio      float64
		caller     sdktrace.Sampler // nil: the client sends no trace context
		wantStarts int64
	}{
		{"no trace context, roots off", sdktrace.NeverSample(), 0, nil, 0},
		{"unsampled caller", sdktrace.AlwaysSample(), 1, sdktrace.NeverSample(), 0},
		{"sampled caller, roots off", sdktrace.NeverSample(), 0, sdktrace.AlwaysSample(), 1},
		{"no trace context, roots on", sdktrace.AlwaysSample(), 1, nil, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := tracetest.NewSpanRecorder()
			tp := &countingProvider{TracerProvider: sdktrace.NewTracerProvider(
				sdktrace.WithSampler(sdktrace.ParentBased(tc.root)), sdktrace.WithSpanProcessor(rec))}
			var seen trace.SpanContext
			var id string
			srv := grpct.NewServer(grpct.WithTracerProvider(tp), grpct.WithParentBased(tc.ratio))
			registerGreeter(srv, func(ctx context.Context, name string) (string, error) {
				seen, id = trace.SpanContextFromContext(ctx), telemetry.RequestID(ctx)
				return name, nil
			})
			var copts []grpct.Option
			if tc.caller != nil {
				copts = append(copts, grpct.WithTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSampler(tc.caller))))
			}
			cc := serve(t, srv, copts...)
			if _, err := greetClient(cc)(context.Background(), "x"); err != nil {
				t.Fatal(err)
			}
			if n := tp.starts.Load(); n != tc.wantStarts {
				t.Errorf("server started %d spans, want %d", n, tc.wantStarts)
			}
			if n := int64(len(rec.Ended())); n != tc.wantStarts {
				t.Errorf("server recorded %d spans, want %d", n, tc.wantStarts)
			}
			if tc.caller != nil && !seen.IsValid() {
				t.Error("the handler lost the caller's trace context")
			}
			if tc.caller == nil && tc.wantStarts == 0 && seen.IsValid() {
				t.Errorf("the handler got span context %v, want none", seen)
			}
			if !telemetry.ValidRequestID(id) {
				t.Errorf("the handler's request ID is %q", id)
			}
		})
	}
}
