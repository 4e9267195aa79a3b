// Command gokitchain is what a go-kit user wires by hand for the same
// policy Gantry's default chain gives: go-kit's circuitbreaker (sony/gobreaker),
// RED metrics through go-kit's metrics/prometheus, and an OpenTelemetry span
// per call (go-kit has no OTel package, so a ten-line middleware). The tracer
// provider samples like Gantry's default: parent-based, roots not sampled.
package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/go-kit/kit/circuitbreaker"
	"github.com/go-kit/kit/endpoint"
	kitprom "github.com/go-kit/kit/metrics/prometheus"
	kithttp "github.com/go-kit/kit/transport/http"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/sony/gobreaker"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

type greeting struct {
	Message string `json:"message"`
}

func greet(_ context.Context, req any) (any, error) {
	return greeting{Message: "Hello, " + req.(string) + "!"}, nil
}

func decode(_ context.Context, r *http.Request) (any, error) { return r.PathValue("name"), nil }

func tracing(tracer trace.Tracer, op string) endpoint.Middleware {
	return func(next endpoint.Endpoint) endpoint.Endpoint {
		return func(ctx context.Context, req any) (any, error) {
			ctx, span := tracer.Start(ctx, op)
			defer span.End()
			resp, err := next(ctx, req)
			if err != nil {
				span.RecordError(err)
			}
			return resp, err
		}
	}
}

func instrumenting(dur *kitprom.Histogram, op string) endpoint.Middleware {
	return func(next endpoint.Endpoint) endpoint.Endpoint {
		return func(ctx context.Context, req any) (resp any, err error) {
			defer func(begin time.Time) {
				dur.With("method", op, "success", fmt.Sprint(err == nil)).Observe(time.Since(begin).Seconds())
			}(time.Now())
			return next(ctx, req)
		}
	}
}

func main() {
	listen := flag.String("listen", "127.0.0.1:8080", "listen address")
	flag.Parse()
	reg := prometheus.NewRegistry()
	hv := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "request_duration_seconds", Help: "Request duration.", Buckets: prometheus.DefBuckets,
	}, []string{"method", "success"})
	reg.MustRegister(hv)
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.NeverSample())))
	e := endpoint.Chain(
		tracing(tp.Tracer("hello"), "greet"),
		instrumenting(kitprom.NewHistogram(hv), "greet"),
		circuitbreaker.Gobreaker(gobreaker.NewCircuitBreaker(gobreaker.Settings{Name: "greet"})),
	)(greet)
	mux := http.NewServeMux()
	mux.Handle("GET /v1/hello/{name}", kithttp.NewServer(e, decode, kithttp.EncodeJSONResponse))
	srv := &http.Server{Addr: *listen, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		c := make(chan os.Signal, 1)
		signal.Notify(c, syscall.SIGTERM, syscall.SIGINT)
		<-c
		_ = srv.Close()
	}()
	if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		fmt.Fprintln(os.Stderr, "gokitchain:", err)
		os.Exit(1)
	}
}
