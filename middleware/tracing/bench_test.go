package tracing_test

import (
	"context"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/gantrykit/gantry/middleware/tracing"
)

func BenchmarkTracing(b *testing.B) {
	next := func(context.Context, any) (any, error) { return nil, nil }
	ctx := context.Background()
	never := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.NeverSample())))
	always := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.AlwaysSample())))
	cases := []struct {
		name string
		e    func(context.Context, any) (any, error)
	}{
		{"bare", next},
		{"unsampled", tracing.New(never).For("op")(next)},
		{"parent_based_root_0", tracing.New(never, tracing.WithParentBased(0)).For("op")(next)},
		{"sampled_no_exporter", tracing.New(always).For("op")(next)},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, _ = c.e(ctx, nil)
			}
		})
	}
}
