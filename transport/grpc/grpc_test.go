package grpc_test

import (
	"context"
	"errors"
	"net"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/gantrykit/gantry/endpoint"
	"github.com/gantrykit/gantry/errs"
	grpct "github.com/gantrykit/gantry/transport/grpc"
	pb "github.com/gantrykit/gantry/transport/grpc/internal/greetpb"
)

// greeter implements pb.GreeterServer with a typed handler.
type greeter struct {
	pb.UnimplementedGreeterServer
	h *grpct.Handler[*pb.GreetRequest, *pb.GreetReply]
}

func (g *greeter) Greet(ctx context.Context, r *pb.GreetRequest) (*pb.GreetReply, error) {
	return g.h.Serve(ctx, r)
}

func decodeGreet(_ context.Context, r *pb.GreetRequest) (string, error) {
	if r.GetName() == "" {
		return "", errs.InvalidField("name", "is required")
	}
	return r.GetName(), nil
}

func encodeGreet(_ context.Context, msg string) (*pb.GreetReply, error) {
	return &pb.GreetReply{Message: msg}, nil
}

func encodeName(_ context.Context, name string) (*pb.GreetRequest, error) {
	return &pb.GreetRequest{Name: name}, nil
}

func decodeReply(_ context.Context, r *pb.GreetReply) (string, error) {
	return r.GetMessage(), nil
}

func hello(_ context.Context, name string) (string, error) { return "hello " + name, nil }

// start serves f as the Greeter service on a loopback port and returns the
// server and a connection to it; both are closed when the test ends.
func start(t testing.TB, f endpoint.Func[string, string], opts ...grpct.Option) (*grpct.Server, *grpc.ClientConn) {
	t.Helper()
	srv := grpct.NewServer(opts...)
	registerGreeter(srv, f)
	return srv, serve(t, srv, opts...)
}

func registerGreeter(srv *grpct.Server, f endpoint.Func[string, string]) {
	pb.RegisterGreeterServer(srv, &greeter{h: grpct.NewHandler(f, decodeGreet, encodeGreet)})
}

func serve(t testing.TB, srv *grpct.Server, opts ...grpct.Option) *grpc.ClientConn {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(lis) }()
	t.Cleanup(func() {
		if err := srv.Shutdown(context.Background()); err != nil {
			t.Errorf("Shutdown = %v", err)
		}
		if err := <-done; err != nil {
			t.Errorf("Serve = %v, want nil", err)
		}
	})
	return dial(t, lis.Addr().String(), opts...)
}

func dial(t testing.TB, addr string, opts ...grpct.Option) *grpc.ClientConn {
	t.Helper()
	dopts := append(grpct.DialOptions(opts...), grpc.WithTransportCredentials(insecure.NewCredentials()))
	cc, err := grpc.NewClient("passthrough:///"+addr, dopts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cc.Close() })
	return cc
}

func greetClient(cc *grpc.ClientConn) endpoint.Func[string, string] {
	return grpct.NewClient(cc, pb.Greeter_Greet_FullMethodName, encodeName, decodeReply)
}

func TestTypedRoundTrip(t *testing.T) {
	_, cc := start(t, hello)
	got, err := greetClient(cc)(context.Background(), "ada")
	if err != nil || got != "hello ada" {
		t.Fatalf("got %q, %v; want %q, nil", got, err, "hello ada")
	}
	// A decode error is the caller's fault and names the field.
	_, err = greetClient(cc)(context.Background(), "")
	var e *errs.Error
	if !errors.As(err, &e) || e.Kind != errs.KindInvalidArgument || len(e.Fields) != 1 || e.Fields[0].Field != "name" {
		t.Fatalf("got %#v, want invalid_argument on field name", err)
	}
}
