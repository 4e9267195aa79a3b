package telemetry_test

import (
	"context"
	"log/slog"
	"os"

	"github.com/gantrykit/gantry/telemetry"
)

// A logger built on NewHandler writes each key once and joins every line
// logged with a request's context to that request.
func ExampleNewHandler() {
	plain := slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{} // a stable output for the example
			}
			return a
		},
	})
	logger := slog.New(telemetry.NewHandler(plain)).With(telemetry.KeyService, "order")
	ctx := telemetry.WithRequestID(context.Background(), "4bf92f35")
	logger.InfoContext(ctx, "order placed", "service", "product", "op", "create_order")
	// Output:
	// {"level":"INFO","msg":"order placed","service":"order","op":"create_order","request_id":"4bf92f35"}
}
