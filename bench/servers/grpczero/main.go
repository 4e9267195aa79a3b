// Command grpczero serves the Prices service of tutorial step 5
// (examples/grpc) with go-zero's zRPC server and its defaults, filled by
// conf.FillDefault: tracing (a recorded span per call, as go-zero's
// telemetry defaults sample every trace), recover, stat (a JSON copy of
// every request, logged at info), Prometheus metrics, an SRE breaker per
// method, adaptive shedding at 90% CPU, a 2 s timeout, health, and the dev
// server with /metrics on a free port. With BENCH_QUIET=1 the log level is
// error: go-zero still marshals each request for its log, but writes
// nothing, which is what Gantry's default chain logs on success.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/gantrykit/gantry/examples/grpc/pricespb"
	"github.com/zeromicro/go-zero/core/conf"
	"github.com/zeromicro/go-zero/zrpc"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

type prices struct {
	pricespb.UnimplementedPricesServer
	catalog map[string]int64
}

func (p prices) GetPrice(_ context.Context, r *pricespb.GetPriceRequest) (*pricespb.Price, error) {
	c, ok := p.catalog[r.GetSku()]
	if !ok {
		return nil, status.Errorf(codes.NotFound, "no product %q", r.GetSku())
	}
	return &pricespb.Price{Sku: r.GetSku(), Cents: c}, nil
}

func main() {
	listen := flag.String("listen", "127.0.0.1:50051", "listen address")
	flag.Parse()
	var c zrpc.RpcServerConf
	if err := conf.FillDefault(&c); err != nil {
		fmt.Fprintln(os.Stderr, "grpczero:", err)
		os.Exit(1)
	}
	c.Name = "prices"
	c.ListenOn = *listen
	c.DevServer.Host, c.DevServer.Port = "127.0.0.1", 0 // beside other go-zero rows
	if os.Getenv("BENCH_QUIET") == "1" {
		c.Log.Level = "error"
	}
	srv := zrpc.MustNewServer(c, func(s *grpc.Server) {
		pricespb.RegisterPricesServer(s, prices{catalog: map[string]int64{"teapot": 2500, "kettle": 4200}})
	})
	defer srv.Stop()
	srv.Start() // go-zero handles SIGTERM itself
}
