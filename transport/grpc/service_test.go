package grpc_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	"github.com/gantrykit/gantry/errs"
	grpct "github.com/gantrykit/gantry/transport/grpc"
	pb "github.com/gantrykit/gantry/transport/grpc/internal/greetpb"
)

// withWave is the Greeter's description with a second unary method and a
// stream, as a larger generated service would have them.
func withWave() *grpc.ServiceDesc {
	d := pb.Greeter_ServiceDesc
	d.Methods = append([]grpc.MethodDesc{}, d.Methods...)
	d.Methods = append(d.Methods, grpc.MethodDesc{MethodName: "Wave", Handler: d.Methods[0].Handler})
	d.Streams = []grpc.StreamDesc{{StreamName: "Chat", ServerStreams: true, ClientStreams: true,
		Handler: func(srv any, _ grpc.ServerStream) error { panic("the generated handler must not run") }}}
	return &d
}

// A table-registered service is called by the generated client as a
// hand-written one is: values, error kinds, the server's interceptors
// (metrics by method name), health; what the table leaves out answers
// Unimplemented.
func TestRegisterServesByTable(t *testing.T) {
	reg := prometheus.NewRegistry()
	srv := grpct.NewServer(grpct.WithMetrics(metricsOn(t, reg)))
	desc := withWave()
	grpct.Register(srv, desc, grpct.Unary(pb.Greeter_Greet_FullMethodName, hello, decodeGreet, encodeGreet))
	cc := serve(t, srv)
	ctx := context.Background()

	got, err := pb.NewGreeterClient(cc).Greet(ctx, &pb.GreetRequest{Name: "ada"})
	if err != nil || got.GetMessage() != "hello ada" {
		t.Fatalf("Greet = %v, %v; want hello ada", got, err)
	}
	_, err = greetClient(cc)(ctx, "")
	if errs.KindOf(err) != errs.KindInvalidArgument {
		t.Errorf("Greet(\"\"): got %v, want invalid argument", err)
	}
	err = cc.Invoke(ctx, "/"+desc.ServiceName+"/Wave", &pb.GreetRequest{}, &pb.GreetReply{})
	if status.Code(err) != codes.Unimplemented {
		t.Errorf("Wave: got %v, want Unimplemented", err)
	}
	stream, err := cc.NewStream(ctx, &desc.Streams[0], "/"+desc.ServiceName+"/Chat")
	if err == nil {
		err = stream.RecvMsg(&pb.GreetReply{})
	}
	if status.Code(err) != codes.Unimplemented {
		t.Errorf("Chat: got %v, want Unimplemented", err)
	}
	h, err := healthpb.NewHealthClient(cc).Check(ctx, &healthpb.HealthCheckRequest{Service: desc.ServiceName})
	if err != nil || h.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Errorf("health of %s = %v, %v; want SERVING", desc.ServiceName, h, err)
	}
	want := `grpc_server_handling_seconds_count{grpc_code="OK",grpc_method="Greet",grpc_service="` + desc.ServiceName + `"} 1`
	if !gatheredHas(t, reg, "grpc_server_handling_seconds", want) {
		t.Errorf("want the line %s", want)
	}
	if desc.HandlerType != pb.Greeter_ServiceDesc.HandlerType || desc.Methods[0].Handler == nil {
		t.Error("Register changed the description it was given")
	}
}

// A wiring mistake is found at start, naming the method.
func TestRegisterRefusesUnknownAndDuplicateMethods(t *testing.T) {
	greet := grpct.Unary(pb.Greeter_Greet_FullMethodName, hello, decodeGreet, encodeGreet)
	tests := []struct {
		name    string
		methods []grpct.Method
		want    string
	}{
		{"other service", []grpct.Method{grpct.Unary("/other.v1.Greeter/Greet", hello, decodeGreet, encodeGreet)}, "/other.v1.Greeter/Greet is not"},
		{"unknown method", []grpct.Method{grpct.Unary("/gantry.example.v1.Greeter/Shout", hello, decodeGreet, encodeGreet)}, "Shout is not"},
		{"no slash", []grpct.Method{grpct.Unary("gantry.example.v1.Greeter/Greet", hello, decodeGreet, encodeGreet)}, "is not"},
		{"twice", []grpct.Method{greet, greet}, "bound twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				msg, _ := recover().(string)
				if !strings.Contains(msg, tt.want) {
					t.Errorf("panic %q, want it to contain %q", msg, tt.want)
				}
			}()
			grpct.Register(grpc.NewServer(), &pb.Greeter_ServiceDesc, tt.methods...)
		})
	}
}

// An interceptor that hands the handler another message type gets an
// error, not a panic.
func TestRegisterWrongTypeFromInterceptor(t *testing.T) {
	swap := func(ctx context.Context, _ any, _ *grpc.UnaryServerInfo, next grpc.UnaryHandler) (any, error) {
		return next(ctx, &pb.GreetReply{})
	}
	srv := grpct.NewServer(grpct.WithServerOptions(grpc.ChainUnaryInterceptor(swap)))
	grpct.Register(srv, &pb.Greeter_ServiceDesc, grpct.Unary(pb.Greeter_Greet_FullMethodName, hello, decodeGreet, encodeGreet))
	cc := serve(t, srv)
	_, err := pb.NewGreeterClient(cc).Greet(context.Background(), &pb.GreetRequest{Name: "ada"})
	if status.Code(err) != codes.Internal || errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want Internal", err)
	}
}

// A service served from a table: one entry per method, no hand-written
// implementation of the generated interface; the generated client calls it.
func ExampleRegister() {
	greet := func(_ context.Context, name string) (string, error) { return "hello " + name, nil }

	srv := grpct.NewServer()
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
	reply, err := pb.NewGreeterClient(cc).Greet(context.Background(), &pb.GreetRequest{Name: "ada"})
	fmt.Println(reply.GetMessage(), err)
	// Output:
	// hello ada <nil>
}
