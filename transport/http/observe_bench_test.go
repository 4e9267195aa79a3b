package http_test

import (
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	httpt "github.com/gantrykit/gantry/transport/http"
)

// BenchmarkMuxTracing measures the typed handler behind a Mux without and
// with WithTracing, in the same run: a root request that the sampler drops
// (a new trace ID and request ID, no attributes), and one it records (to
// a provider with no exporter, so export costs are left out).
func BenchmarkMuxTracing(b *testing.B) {
	typed := httpt.NewServer(benchEndpoint)
	for _, c := range []struct {
		name string
		opts []httpt.MuxOption
	}{
		{"off", nil},
		{"unsampled", []httpt.MuxOption{httpt.WithTracing(sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.NeverSample())), nil)}},
		{"sampled", []httpt.MuxOption{httpt.WithTracing(sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample())), nil)}},
	} {
		b.Run(c.name, func(b *testing.B) {
			m := httpt.NewMux(c.opts...)
			m.Handle("POST /v1/orders/{id}/items", typed)
			runBench(b, m, true)
		})
	}
}
