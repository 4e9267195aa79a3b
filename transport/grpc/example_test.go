package grpc_test

import (
	"context"
	"fmt"
	"net"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/gantrykit/gantry/errs"
	grpct "github.com/gantrykit/gantry/transport/grpc"
	pb "github.com/gantrykit/gantry/transport/grpc/internal/greetpb"
)

func Example() {
	// Business code: a typed endpoint that knows nothing of gRPC.
	greet := func(_ context.Context, name string) (string, error) {
		if name == "nobody" {
			return "", errs.NotFound("no one called %s", name)
		}
		return "hello " + name, nil
	}

	srv := grpct.NewServer()
	// The generated service, served from a table: one entry per method, no
	// hand-written implementation of the generated interface.
	grpct.Register(srv, &pb.Greeter_ServiceDesc,
		grpct.Unary(pb.Greeter_Greet_FullMethodName, greet,
			func(_ context.Context, r *pb.GreetRequest) (string, error) { return r.GetName(), nil },
			func(_ context.Context, s string) (*pb.GreetReply, error) { return &pb.GreetReply{Message: s}, nil }),
	)
	lis, _ := net.Listen("tcp", "127.0.0.1:0")
	go srv.Serve(lis)
	defer srv.Shutdown(context.Background())

	cc, _ := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	defer cc.Close()
	client := grpct.NewClient(cc, pb.Greeter_Greet_FullMethodName,
		func(_ context.Context, name string) (*pb.GreetRequest, error) {
			return &pb.GreetRequest{Name: name}, nil
		},
		func(_ context.Context, r *pb.GreetReply) (string, error) { return r.GetMessage(), nil },
	)
	fmt.Println(client(context.Background(), "ada"))
	_, err := client(context.Background(), "nobody")
	fmt.Println(errs.KindOf(err), err)
	// Output:
	// hello ada <nil>
	// not_found no one called nobody
}
