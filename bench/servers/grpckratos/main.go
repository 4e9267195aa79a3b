// Command grpckratos serves the Prices service of tutorial step 5
// (examples/grpc) with kratos' gRPC server. By default it has the
// middleware kratos' project layout wires (recovery). With BENCH_CHAIN=1 it
// has kratos' middleware comparable to Gantry's default chain: recovery,
// tracing (a provider that samples no root call, as Gantry's chain starts
// no span for one), metrics (OTel instruments exported to a Prometheus
// registry), logging (errors only: the logger filters below error, as
// Gantry logs no successful call by default) and the BBR rate limiter
// (kratos' adaptive load shedding).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/gantrykit/gantry/examples/grpc/pricespb"
	"github.com/go-kratos/kratos/v2"
	"github.com/go-kratos/kratos/v2/errors"
	"github.com/go-kratos/kratos/v2/log"
	"github.com/go-kratos/kratos/v2/middleware"
	"github.com/go-kratos/kratos/v2/middleware/logging"
	"github.com/go-kratos/kratos/v2/middleware/metrics"
	"github.com/go-kratos/kratos/v2/middleware/ratelimit"
	"github.com/go-kratos/kratos/v2/middleware/recovery"
	"github.com/go-kratos/kratos/v2/middleware/tracing"
	kgrpc "github.com/go-kratos/kratos/v2/transport/grpc"
	"github.com/prometheus/client_golang/prometheus"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

type prices struct {
	pricespb.UnimplementedPricesServer
	catalog map[string]int64
}

func (p prices) GetPrice(_ context.Context, r *pricespb.GetPriceRequest) (*pricespb.Price, error) {
	c, ok := p.catalog[r.GetSku()]
	if !ok {
		return nil, errors.NotFound("NOT_FOUND", fmt.Sprintf("no product %q", r.GetSku()))
	}
	return &pricespb.Price{Sku: r.GetSku(), Cents: c}, nil
}

func main() {
	listen := flag.String("listen", "127.0.0.1:50051", "listen address")
	flag.Parse()
	logger := log.NewStdLogger(os.Stderr)
	mws := []middleware.Middleware{recovery.Recovery()}
	if os.Getenv("BENCH_CHAIN") == "1" {
		chain, err := comparable(logger)
		if err != nil {
			fmt.Fprintln(os.Stderr, "grpckratos:", err)
			os.Exit(1)
		}
		mws = chain
	}
	srv := kgrpc.NewServer(kgrpc.Address(*listen), kgrpc.Middleware(mws...))
	pricespb.RegisterPricesServer(srv, prices{catalog: map[string]int64{"teapot": 2500, "kettle": 4200}})
	app := kratos.New(kratos.Name("prices"), kratos.Server(srv), kratos.Logger(logger))
	if err := app.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "grpckratos:", err)
		os.Exit(1)
	}
}

// comparable is kratos' middleware for the concerns of Gantry's default
// chain, in the same order.
func comparable(logger log.Logger) ([]middleware.Middleware, error) {
	reg := prometheus.NewRegistry()
	exp, err := otelprom.New(otelprom.WithRegisterer(reg))
	if err != nil {
		return nil, err
	}
	meter := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exp)).Meter("prices")
	seconds, err := metrics.DefaultSecondsHistogram(meter, metrics.DefaultServerSecondsHistogramName)
	if err != nil {
		return nil, err
	}
	requests, err := metrics.DefaultRequestsCounter(meter, metrics.DefaultServerRequestsCounterName)
	if err != nil {
		return nil, err
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.NeverSample())))
	return []middleware.Middleware{
		recovery.Recovery(),
		tracing.Server(tracing.WithTracerProvider(tp)),
		metrics.Server(metrics.WithSeconds(seconds), metrics.WithRequests(requests)),
		logging.Server(log.NewFilter(logger, log.FilterLevel(log.LevelError))),
		ratelimit.Server(),
	}, nil
}
