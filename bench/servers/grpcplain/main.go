// Command grpcplain is the gRPC baseline: the Prices service of tutorial
// step 5 (examples/grpc) hand-written on grpc-go, no interceptors.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/gantrykit/gantry/examples/grpc/pricespb"
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
	lis, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintln(os.Stderr, "grpcplain:", err)
		os.Exit(1)
	}
	srv := grpc.NewServer()
	pricespb.RegisterPricesServer(srv, prices{catalog: map[string]int64{"teapot": 2500, "kettle": 4200}})
	go func() {
		c := make(chan os.Signal, 1)
		signal.Notify(c, syscall.SIGTERM, syscall.SIGINT)
		<-c
		srv.Stop()
	}()
	if err := srv.Serve(lis); err != nil {
		fmt.Fprintln(os.Stderr, "grpcplain:", err)
		os.Exit(1)
	}
}
