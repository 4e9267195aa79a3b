package grpcclient_test

import (
	"context"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/gantrykit/gantry/discovery"
	"github.com/gantrykit/gantry/discovery/static"
	grpct "github.com/gantrykit/gantry/transport/grpc"
)

// Every goroutine a test starts (servers, resolvers, balancers) must be
// stopped by the time the package's tests end.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The test service, written by hand (no generated code): Get answers with
// the instance's name and is declared idempotent by the tests that retry
// it; Put is not idempotent; Watch streams the name n times.
const (
	methodGet   = "/gantry.test.Echo/Get"
	methodPut   = "/gantry.test.Echo/Put"
	methodWatch = "/gantry.test.Echo/Watch"
)

type echo interface {
	handle(ctx context.Context, method string) (string, error)
}

// instance is one running copy of the test service.
type instance struct {
	name  string
	addr  string
	srv   *grpct.Server
	calls atomic.Int64
	// fail, if set, answers calls instead of the name.
	fail     atomic.Pointer[func(ctx context.Context, method string) error]
	deadline atomic.Bool // the last call had a deadline
}

func (in *instance) handle(ctx context.Context, method string) (string, error) {
	in.calls.Add(1)
	_, ok := ctx.Deadline()
	in.deadline.Store(ok)
	if f := in.fail.Load(); f != nil {
		if err := (*f)(ctx, method); err != nil {
			return "", err
		}
	}
	return in.name, nil
}

func (in *instance) failWith(f func(ctx context.Context, method string) error) { in.fail.Store(&f) }

func unary(method string) grpc.MethodDesc {
	return grpc.MethodDesc{MethodName: method[len("/gantry.test.Echo/"):], Handler: func(srv any, ctx context.Context, dec func(any) error, ic grpc.UnaryServerInterceptor) (any, error) {
		if err := dec(new(wrapperspb.StringValue)); err != nil {
			return nil, err
		}
		h := func(ctx context.Context, _ any) (any, error) {
			name, err := srv.(echo).handle(ctx, method)
			if err != nil {
				return nil, err
			}
			return wrapperspb.String(name), nil
		}
		if ic == nil {
			return h(ctx, nil)
		}
		return ic(ctx, nil, &grpc.UnaryServerInfo{Server: srv, FullMethod: method}, h)
	}}
}

var echoDesc = grpc.ServiceDesc{
	ServiceName: "gantry.test.Echo",
	HandlerType: (*echo)(nil),
	Methods:     []grpc.MethodDesc{unary(methodGet), unary(methodPut)},
	Streams: []grpc.StreamDesc{{StreamName: "Watch", ServerStreams: true, Handler: func(srv any, ss grpc.ServerStream) error {
		var n wrapperspb.Int32Value
		if err := ss.RecvMsg(&n); err != nil {
			return err
		}
		for range n.GetValue() {
			name, err := srv.(echo).handle(ss.Context(), methodWatch)
			if err != nil {
				return err
			}
			if err := ss.SendMsg(wrapperspb.String(name)); err != nil {
				return err
			}
		}
		return nil
	}}},
}

// start runs an instance on a loopback port and registers it in reg under
// service "echo" with its "grpc" transport; it is stopped at the end of
// the test. opts configure its server (tracing, metrics).
func start(t testing.TB, reg *static.Registry, name string, opts ...grpct.Option) *instance {
	t.Helper()
	in := &instance{name: name, srv: grpct.NewServer(opts...)}
	in.srv.RegisterService(&echoDesc, in)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	in.addr = lis.Addr().String()
	done := make(chan struct{})
	go func() { defer close(done); _ = in.srv.Serve(lis) }()
	t.Cleanup(func() { in.srv.GRPC().Stop(); <-done })
	put(t, reg, in)
	return in
}

func put(t testing.TB, reg *static.Registry, in *instance) {
	t.Helper()
	err := reg.Put(context.Background(), discovery.Instance{
		Service: "echo", ID: in.name, Address: "http://" + in.addr, Transports: map[string]string{"grpc": in.addr},
	}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
}

// call calls method on cc and returns the answering instance's name.
func call(ctx context.Context, cc grpc.ClientConnInterface, method string) (string, error) {
	var out wrapperspb.StringValue
	err := cc.Invoke(ctx, method, wrapperspb.String("hi"), &out)
	return out.GetValue(), err
}

// eventually polls cond every 10ms for up to 10s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
