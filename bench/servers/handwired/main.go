// Command handwired is the binary-size baseline for "the required
// dependencies wired by hand": GET /v1/hello/{name} on net/http, traced by
// the OpenTelemetry SDK, with Prometheus's /metrics (the Go and process
// collectors, as kit registers them). Built as is, its spans go out
// through OpenTelemetry's own OTLP/HTTP exporter (otlptracehttp); built
// with -tags noexport, it links no exporter, which is the floor of what
// metrics and tracing cost before a single span leaves the process.
// bench/cmd/binsize builds both.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

type greeting struct {
	Message string `json:"message"`
}

func main() {
	listen := flag.String("listen", "127.0.0.1:8080", "listen address")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	opts, err := exportOptions(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "handwired:", err)
		os.Exit(1)
	}
	tp := sdktrace.NewTracerProvider(opts...)
	defer func() { _ = tp.Shutdown(context.Background()) }()
	tracer := tp.Tracer("handwired")

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /v1/hello/{name}", func(w http.ResponseWriter, r *http.Request) {
		_, span := tracer.Start(r.Context(), "GET /v1/hello/{name}")
		defer span.End()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(greeting{Message: "Hello, " + r.PathValue("name") + "!"})
	})
	srv := &http.Server{Addr: *listen, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		fmt.Fprintln(os.Stderr, "handwired:", err)
		os.Exit(1)
	}
}
