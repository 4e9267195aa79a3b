package grpc_test

import (
	"context"
	"net"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/propagation"
	"google.golang.org/grpc"

	grpct "github.com/gantrykit/gantry/transport/grpc"
	pb "github.com/gantrykit/gantry/transport/grpc/internal/greetpb"
)

// plainGreeter is the baseline: a hand-written grpc-go service.
type plainGreeter struct{ pb.UnimplementedGreeterServer }

func (plainGreeter) Greet(_ context.Context, r *pb.GreetRequest) (*pb.GreetReply, error) {
	return &pb.GreetReply{Message: "hello " + r.GetName()}, nil
}

// BenchmarkUnary is one call, client and server in this process, over
// loopback: plain grpc-go, Gantry's typed handler and client, and the same
// with the server observed as kit wires it (trace context, metrics). The
// server's share alone is measured by bench/ (grpc-* rows).
func BenchmarkUnary(b *testing.B) {
	_, typed := start(b, hello)
	srv := grpct.NewServer(grpct.WithPropagator(propagation.TraceContext{}), grpct.WithMetrics(metricsOn(b, prometheus.NewRegistry())))
	registerGreeter(srv, hello)
	observed := serve(b, srv) // the client is not observed
	plainSrv := grpc.NewServer()
	pb.RegisterGreeterServer(plainSrv, plainGreeter{})
	plain := serveRaw(b, plainSrv)

	b.Run("plain-grpc-go", func(b *testing.B) {
		c := pb.NewGreeterClient(plain)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.Greet(context.Background(), &pb.GreetRequest{Name: "ada"}); err != nil {
				b.Fatal(err)
			}
		}
	})
	for name, cc := range map[string]*grpc.ClientConn{"gantry-typed": typed, "gantry-typed-observed": observed} {
		b.Run(name, func(b *testing.B) {
			call := greetClient(cc)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := call(context.Background(), "ada"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func serveRaw(b *testing.B, srv *grpc.Server) *grpc.ClientConn {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go func() { _ = srv.Serve(lis) }()
	b.Cleanup(srv.Stop)
	return dial(b, lis.Addr().String())
}
