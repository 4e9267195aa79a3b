package grpc_test

import (
	"context"
	"errors"
	"io"
	"testing"

	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/common/expfmt"
	"go.opentelemetry.io/otel/attribute"
	otelcodes "go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/gantrykit/gantry/errs"
	grpct "github.com/gantrykit/gantry/transport/grpc"
)

// A server with a propagator and no TracerProvider starts no span of its
// own, yet the endpoint runs in the caller's trace: the endpoint chain's
// tracing continues it, as over HTTP.
func TestPropagationWithoutServerSpans(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	var seen trace.SpanContext
	srv := grpct.NewServer(grpct.WithPropagator(propagation.TraceContext{}))
	registerGreeter(srv, func(ctx context.Context, name string) (string, error) {
		seen = trace.SpanContextFromContext(ctx)
		return name, nil
	})
	cc := serve(t, srv, grpct.WithTracerProvider(tp))
	if _, err := greetClient(cc)(context.Background(), "x"); err != nil {
		t.Fatal(err)
	}
	ended := rec.Ended()
	if len(ended) != 1 || ended[0].SpanKind() != trace.SpanKindClient {
		t.Fatalf("got %d spans (%v), want only the client's", len(ended), ended)
	}
	if !seen.IsRemote() || seen.SpanID() != ended[0].SpanContext().SpanID() {
		t.Errorf("endpoint saw %v, want the client span %v as a remote parent", seen, ended[0].SpanContext())
	}
}

// Server spans follow the RPC semantic conventions, and only server faults
// mark them failed.
func TestServerSpanConventions(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	var fail error
	_, cc := start(t, func(context.Context, string) (string, error) { return "ok", fail }, grpct.WithTracerProvider(tp))
	for _, tc := range []struct {
		err        error
		code       string
		statusCode otelcodes.Code
	}{
		{nil, "OK", otelcodes.Unset},
		{errs.NotFound("no such greeting"), "NOT_FOUND", otelcodes.Unset},
		{errors.New("disk on fire"), "INTERNAL", otelcodes.Error},
	} {
		fail = tc.err
		rec.Reset()
		_, _ = greetClient(cc)(context.Background(), "x")
		var server sdktrace.ReadOnlySpan
		for _, s := range rec.Ended() {
			if s.SpanKind() == trace.SpanKindServer {
				server = s
			}
		}
		if server == nil {
			t.Fatalf("%s: no server span", tc.code)
		}
		attrs := attribute.NewSet(server.Attributes()...)
		want := map[attribute.Key]string{"rpc.system.name": "grpc", "rpc.method": "gantry.example.v1.Greeter/Greet", "rpc.response.status_code": tc.code}
		for k, v := range want {
			if got, _ := attrs.Value(k); got.AsString() != v {
				t.Errorf("%s: %s = %q, want %q", tc.code, k, got.AsString(), v)
			}
		}
		if server.Name() != "gantry.example.v1.Greeter/Greet" || server.Status().Code != tc.statusCode {
			t.Errorf("%s: span %q status %v, want %q %v", tc.code, server.Name(), server.Status().Code, "gantry.example.v1.Greeter/Greet", tc.statusCode)
		}
		if strings.Contains(server.Status().Description, "disk") {
			t.Errorf("status description %q leaks the internal error", server.Status().Description)
		}
	}
}

// Methods the server does not serve are counted under _OTHER, so made-up
// names cannot add series.
func TestUnknownMethodsAreOther(t *testing.T) {
	reg := prometheus.NewRegistry()
	srv := grpct.NewServer(grpct.WithMetrics(metricsOn(t, reg)), grpct.WithServerOptions(grpc.UnknownServiceHandler(
		func(any, grpc.ServerStream) error { return status.Error(codes.Unimplemented, "no such method") })))
	cc := serve(t, srv)
	for _, m := range []string{"/made.up/One", "/made.up/Two", "/x/y"} {
		err := cc.Invoke(context.Background(), m, &wrapperspb.StringValue{}, &wrapperspb.StringValue{})
		if status.Code(err) != codes.Unimplemented {
			t.Fatalf("%s: got %v, want Unimplemented", m, err)
		}
	}
	want := `grpc_server_handling_seconds_count{grpc_code="Unimplemented",grpc_method="_OTHER",grpc_service="_OTHER"} 3`
	if !gatheredHas(t, reg, "grpc_server_handling_seconds", want) {
		t.Errorf("want the line %s", want)
	}
	if n, _ := testutil.GatherAndCount(reg, "grpc_server_handling_seconds"); n != 1 {
		t.Errorf("got %d series, want 1", n)
	}
}

// Streams are traced and measured from open to close on both sides.
func TestStreamsObserved(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	reg := prometheus.NewRegistry()
	var seen trace.SpanContext
	srv := grpct.NewServer(grpct.WithTracerProvider(tp), grpct.WithMetrics(metricsOn(t, reg)))
	srv.RegisterService(&echoDesc, echoFunc(func(ss grpc.ServerStream) error {
		seen = trace.SpanContextFromContext(ss.Context())
		for {
			var m wrapperspb.StringValue
			if err := ss.RecvMsg(&m); err == io.EOF {
				return nil
			} else if err != nil {
				return err
			}
			if err := ss.SendMsg(&m); err != nil {
				return err
			}
		}
	}))
	cc := serve(t, srv, grpct.WithTracerProvider(tp), grpct.WithMetrics(metricsOn(t, reg)))
	st, err := cc.NewStream(context.Background(), &echoDesc.Streams[0], "/test.Echo/Echo")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"a", "b"} {
		if err := st.SendMsg(wrapperspb.String(s)); err != nil {
			t.Fatal(err)
		}
		var got wrapperspb.StringValue
		if err := st.RecvMsg(&got); err != nil || got.GetValue() != s {
			t.Fatalf("got %q, %v; want %q", got.GetValue(), err, s)
		}
	}
	if err := st.CloseSend(); err != nil {
		t.Fatal(err)
	}
	if err := st.RecvMsg(new(wrapperspb.StringValue)); err != io.EOF {
		t.Fatalf("got %v, want io.EOF", err)
	}
	var server, client sdktrace.ReadOnlySpan
	for _, s := range rec.Ended() {
		switch s.SpanKind() {
		case trace.SpanKindServer:
			server = s
		case trace.SpanKindClient:
			client = s
		}
	}
	if server == nil || client == nil || server.Name() != "test.Echo/Echo" || server.Parent().SpanID() != client.SpanContext().SpanID() {
		t.Fatalf("spans: server %v client %v, want test.Echo/Echo, child of the client's", server, client)
	}
	if seen.SpanID() != server.SpanContext().SpanID() {
		t.Errorf("stream handler saw %v, want the server span %v", seen, server.SpanContext())
	}
	for _, side := range []string{"server", "client"} {
		want := `grpc_` + side + `_handling_seconds_count{grpc_code="OK",grpc_method="Echo",grpc_service="test.Echo"} 1`
		if !gatheredHas(t, reg, "grpc_"+side+"_handling_seconds", want) {
			t.Errorf("want the line %s", want)
		}
	}
}

// echoFunc serves the hand-written Echo service's one bidirectional stream.
type echoFunc func(grpc.ServerStream) error

type echoServer interface{ echo(grpc.ServerStream) error }

func (f echoFunc) echo(ss grpc.ServerStream) error { return f(ss) }

var echoDesc = grpc.ServiceDesc{
	ServiceName: "test.Echo",
	HandlerType: (*echoServer)(nil),
	Streams: []grpc.StreamDesc{{
		StreamName:    "Echo",
		Handler:       func(srv any, ss grpc.ServerStream) error { return srv.(echoServer).echo(ss) },
		ServerStreams: true,
		ClientStreams: true,
	}},
}

// gatheredHas reports whether the text exposition of family name in reg
// has the line want.
func gatheredHas(t *testing.T, reg *prometheus.Registry, name, want string) bool {
	t.Helper()
	got, err := testutil.CollectAndFormat(reg, expfmt.TypeTextPlain, name)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(got), "\n") {
		if l == want {
			return true
		}
	}
	t.Logf("%s", got)
	return false
}
