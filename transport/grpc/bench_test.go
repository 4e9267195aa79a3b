package grpc_test

import (
	"context"
	"net"
	"testing"

	pb "github.com/gantrykit/gantry/transport/grpc/internal/greetpb"
	"google.golang.org/grpc"
)

// plainGreeter is the baseline: a hand-written grpc-go service.
type plainGreeter struct{ pb.UnimplementedGreeterServer }

func (plainGreeter) Greet(_ context.Context, r *pb.GreetRequest) (*pb.GreetReply, error) {
	return &pb.GreetReply{Message: "hello " + r.GetName()}, nil
}

func BenchmarkUnary(b *testing.B) {
	_, typed := start(b, hello)
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
	b.Run("gantry-typed", func(b *testing.B) {
		call := greetClient(typed)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := call(context.Background(), "ada"); err != nil {
				b.Fatal(err)
			}
		}
	})
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
