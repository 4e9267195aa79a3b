package grpckit_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"google.golang.org/grpc"
	"google.golang.org/grpc/connectivity"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/gantrykit/gantry/discovery"
	"github.com/gantrykit/gantry/discovery/static"
	"github.com/gantrykit/gantry/kit"
	"github.com/gantrykit/gantry/kit/grpckit"
	"github.com/gantrykit/gantry/kit/kittest"
)

// A service registered with its gRPC server is called through Dial and a
// generated client; the registry is looked up once the client App runs,
// the calls are measured in the client App's registry, and the connection
// closes with the App.
func TestDial(t *testing.T) {
	reg := static.NewRegistry()
	defer reg.Close()
	for range 2 {
		srv := newApp(t, nil)
		g, err := grpckit.NewServer(srv)
		if err != nil {
			t.Fatal(err)
		}
		g.RegisterService(&grpc.ServiceDesc{ServiceName: "test.Svc", HandlerType: (*any)(nil)}, struct{}{})
		srv.Register(reg, kit.Registration{GRPC: g})
		stop := kittest.Start(t, srv)
		defer stop() //nolint:errcheck // checked by the server tests
	}
	var looked atomic.Int64
	finder := discovery.FinderFunc(func(_ context.Context, service string) (discovery.Instancer, error) {
		looked.Add(1)
		return reg.Instancer(service), nil
	})
	app := newApp(t, nil)
	conn, err := grpckit.Dial(app, finder, "test-svc")
	if err != nil {
		t.Fatal(err)
	}
	stop := kittest.Start(t, app)
	r, err := healthpb.NewHealthClient(conn).Check(context.Background(), &healthpb.HealthCheckRequest{})
	if err != nil || r.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("Check: %v, %v; want SERVING", r.GetStatus(), err)
	}
	if looked.Load() != 1 {
		t.Errorf("looked up %d times, want 1", looked.Load())
	}
	// One series per attempt's code, and one per operation of the App's
	// client chain.
	for _, name := range []string{"grpc_client_handling_seconds", "rpc_client_call_duration_seconds"} {
		if n := testutil.CollectAndCount(app.Registry(), name); n != 1 {
			t.Errorf("%s: %d series, want 1", name, n)
		}
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if s := conn.GetState(); s != connectivity.Shutdown {
		t.Errorf("connection %v after the App stopped, want Shutdown", s)
	}
}
