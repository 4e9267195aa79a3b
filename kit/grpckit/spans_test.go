package grpckit_test

import (
	"context"
	"sync/atomic"
	"testing"

	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/gantrykit/gantry/discovery"
	"github.com/gantrykit/gantry/discovery/static"
	"github.com/gantrykit/gantry/kit"
	"github.com/gantrykit/gantry/kit/grpckit"
	"github.com/gantrykit/gantry/kit/kittest"
)

// flakyDesc is a service whose one method fails its first call with
// Unavailable and answers every later one.
func flakyDesc(calls *atomic.Int64) *grpc.ServiceDesc {
	get := func(srv any, ctx context.Context, dec func(any) error, in grpc.UnaryServerInterceptor) (any, error) {
		req := new(emptypb.Empty)
		if err := dec(req); err != nil {
			return nil, err
		}
		h := func(context.Context, any) (any, error) {
			if calls.Add(1) == 1 {
				return nil, status.Error(codes.Unavailable, "first call")
			}
			return new(emptypb.Empty), nil
		}
		if in == nil {
			return h(ctx, req)
		}
		return in(ctx, req, &grpc.UnaryServerInfo{Server: srv, FullMethod: "/test.Flaky/Get"}, h)
	}
	return &grpc.ServiceDesc{ServiceName: "test.Flaky", HandlerType: (*any)(nil),
		Methods: []grpc.MethodDesc{{MethodName: "Get", Handler: get}}}
}

// keptSpans keeps its spans when the App shuts it down.
type keptSpans struct{ *tracetest.InMemoryExporter }

func (keptSpans) Shutdown(context.Context) error { return nil }

// A call through Dial that is retried once has one client span per
// attempt and no other: the App's client chain adds the logical call as
// an INTERNAL span, the parent of both attempts, even when the call starts
// its trace.
func TestDialOneClientSpanPerAttempt(t *testing.T) {
	reg := static.NewRegistry()
	defer reg.Close()
	var calls atomic.Int64
	srv := newApp(t, nil)
	g, err := grpckit.NewServer(srv)
	if err != nil {
		t.Fatal(err)
	}
	g.RegisterService(flakyDesc(&calls), struct{}{})
	srv.Register(reg, kit.Registration{GRPC: g})
	stopSrv := kittest.Start(t, srv)
	defer stopSrv() //nolint:errcheck // checked by the server tests

	exp := keptSpans{tracetest.NewInMemoryExporter()}
	app := newApp(t, map[string]string{
		"GANTRY_CLIENT_RETRY_IDEMPOTENT":              "/test.Flaky/Get",
		"GANTRY_MIDDLEWARE_TRACING_ROOT_SAMPLE_RATIO": "1",
	}, kit.WithSpanExporter(exp))
	finder := discovery.FinderFunc(func(_ context.Context, service string) (discovery.Instancer, error) {
		return reg.Instancer(service), nil
	})
	conn, err := grpckit.Dial(app, finder, "test-svc")
	if err != nil {
		t.Fatal(err)
	}
	stop := kittest.Start(t, app)
	if err := conn.Invoke(context.Background(), "/test.Flaky/Get", new(emptypb.Empty), new(emptypb.Empty)); err != nil {
		t.Fatalf("call: %v", err)
	}
	if err := stop(); err != nil { // flushes the spans
		t.Fatal(err)
	}
	if calls.Load() != 2 {
		t.Fatalf("the server saw %d attempts, want 2", calls.Load())
	}
	var logical []trace.SpanID
	attempts := map[trace.SpanID]int{} // parent → client spans
	for _, s := range exp.GetSpans() {
		switch s.SpanKind {
		case trace.SpanKindClient:
			attempts[s.Parent.SpanID()]++
		case trace.SpanKindInternal:
			if s.Name == "test-svc/test-svc.Get" {
				logical = append(logical, s.SpanContext.SpanID())
			}
		}
	}
	if len(logical) != 1 || len(attempts) != 1 || attempts[logical[0]] != 2 {
		t.Errorf("logical spans %v, client spans by parent %v; want one INTERNAL span with the 2 attempts' client spans under it\n%v",
			logical, attempts, exp.GetSpans())
	}
}
