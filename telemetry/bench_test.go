package telemetry_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/gantrykit/gantry/telemetry"
)

// BenchmarkHandler measures a log line through NewHandler beside the same
// line written by the plain JSON handler, in the same run.
func BenchmarkHandler(b *testing.B) {
	tp := sdktrace.NewTracerProvider()
	ctx, span := tp.Tracer("b").Start(context.Background(), "s")
	defer span.End()
	ctx = telemetry.WithRequestID(ctx, telemetry.NewRequestID())
	plain := slog.New(slog.NewJSONHandler(io.Discard, nil)).With("service", "bench", "instance", "i-1")
	wrapped := slog.New(telemetry.NewHandler(slog.NewJSONHandler(io.Discard, nil))).With("service", "bench", "instance", "i-1")
	for _, c := range []struct {
		name string
		l    *slog.Logger
		ctx  context.Context
	}{
		{"plain_json", plain, context.Background()},
		{"handler_no_ids", wrapped, context.Background()},
		{"handler_trace_and_request_ids", wrapped, ctx},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c.l.InfoContext(c.ctx, "request", "route", "/v1/orders", "code", 200)
			}
		})
	}
}
