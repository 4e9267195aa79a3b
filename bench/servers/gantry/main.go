// Command gantry is the hello service of tutorial step 2
// (examples/middleware): a typed endpoint behind App.Middleware, the full
// default chain (recovery, tracing, metrics, logging, shed, rate limit,
// timeout), served by the kit runtime with its defaults.
//
// With BENCH_SPANS=discard it also exports every sampled span to an exporter
// that drops them, so that, with GANTRY_MIDDLEWARE_TRACING_ROOT_SAMPLE_RATIO=1,
// the cost of recording and batching spans is measured.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/gantrykit/gantry/endpoint"
	"github.com/gantrykit/gantry/kit"
	httpt "github.com/gantrykit/gantry/transport/http"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// GreetRequest names whom to greet.
type GreetRequest struct {
	Name string `path:"name"`
}

// Greeting is the answer.
type Greeting struct {
	Message string `json:"message"`
}

func greet(_ context.Context, req GreetRequest) (Greeting, error) {
	return Greeting{Message: "Hello, " + req.Name + "!"}, nil
}

func run(ctx context.Context) error {
	opts := []kit.Option{kit.WithVersion("bench")}
	if os.Getenv("BENCH_SPANS") == "discard" {
		opts = append(opts, kit.WithSpanExporter(tracetest.NewNoopExporter()))
	}
	app := kit.New("hello", opts...)
	if err := app.Err(); err != nil {
		return err
	}
	e := endpoint.Wrap(greet, app.Middleware("greet")...)
	app.HTTP().Handle("GET /v1/hello/{name}", httpt.NewServer(e))
	return app.Run(ctx)
}

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "gantry:", err)
		os.Exit(1)
	}
}
