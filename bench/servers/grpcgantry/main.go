// Command grpcgantry serves the Prices service through Gantry's gRPC
// transport alone, configured as kit's gRPC server configures it:
// grpct.Server (health, reflection, the caller's trace context and a server
// span per call from a provider that samples no root call, as kit's does by
// default, and told so as kit tells it, Prometheus RPC metrics) and a typed grpct.Handler, without
// endpoint middleware and without the kit runtime. Beside grpcplain and
// examples/grpc it splits the transport's cost from the default chain's.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/examples/grpc/pricespb"
	grpct "github.com/gantrykit/gantry/transport/grpc"
	"github.com/prometheus/client_golang/prometheus"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

type price struct {
	SKU   string
	Cents int64
}

type server struct {
	pricespb.UnimplementedPricesServer
	h *grpct.Handler[*pricespb.GetPriceRequest, *pricespb.Price]
}

func (s server) GetPrice(ctx context.Context, r *pricespb.GetPriceRequest) (*pricespb.Price, error) {
	return s.h.Serve(ctx, r)
}

func main() {
	listen := flag.String("listen", "127.0.0.1:50051", "listen address")
	flag.Parse()
	catalog := map[string]int64{"teapot": 2500, "kettle": 4200}
	get := func(_ context.Context, sku string) (price, error) {
		c, ok := catalog[sku]
		if !ok {
			return price{}, errs.NotFound("no product %q", sku)
		}
		return price{sku, c}, nil
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.NeverSample())))
	metrics, err := grpct.NewMetrics(prometheus.NewRegistry())
	if err != nil {
		fmt.Fprintln(os.Stderr, "grpcgantry:", err)
		os.Exit(1)
	}
	srv := grpct.NewServer(grpct.WithMetrics(metrics), grpct.WithTracerProvider(tp),
		grpct.WithParentBased(0)) // as kit/grpckit says of tp's sampler
	pricespb.RegisterPricesServer(srv, server{h: grpct.NewHandler(get,
		func(_ context.Context, r *pricespb.GetPriceRequest) (string, error) { return r.GetSku(), nil },
		func(_ context.Context, p price) (*pricespb.Price, error) {
			return &pricespb.Price{Sku: p.SKU, Cents: p.Cents}, nil
		})})
	lis, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintln(os.Stderr, "grpcgantry:", err)
		os.Exit(1)
	}
	go func() {
		c := make(chan os.Signal, 1)
		signal.Notify(c, syscall.SIGTERM, syscall.SIGINT)
		<-c
		srv.GRPC().Stop()
	}()
	if err := srv.Serve(lis); err != nil {
		fmt.Fprintln(os.Stderr, "grpcgantry:", err)
		os.Exit(1)
	}
}
