package tracing_test

import (
	"context"
	"fmt"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/gantrykit/gantry/middleware/tracing"
)

func Example() {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	tr := tracing.New(tp, tracing.WithService("orders"))
	e := tr.For("get_order")(func(context.Context, any) (any, error) { return "order 42", nil })
	_, _ = e(context.Background(), nil)
	for _, s := range rec.Ended() {
		fmt.Println(s.Name(), s.SpanKind())
	}
	// Output: orders/get_order server
}
