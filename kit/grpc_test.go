package kit

import (
	"context"
	"testing"

	"github.com/gantrykit/gantry/errs"
	grpct "github.com/gantrykit/gantry/transport/grpc"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// The App serves gRPC health on GANTRY_GRPC_ADDR: SERVING while it runs,
// NOT_SERVING once shutdown begins (observed from a drain hook, which runs
// after the gRPC one), and stops the server by the end of Run.
func TestAppServesGRPC(t *testing.T) {
	a := newTestApp(t, nil, nil, WithGetenv(env(map[string]string{"GANTRY_GRPC_ADDR": "127.0.0.1:0"})))
	g := a.NewGRPC()
	// Any service makes the App serve; the health service itself is enough
	// for this test, registered under its own name.
	g.RegisterService(&grpc.ServiceDesc{ServiceName: "test.Svc", HandlerType: (*any)(nil)}, struct{}{})

	var cc *grpc.ClientConn
	check := func(ctx context.Context) healthpb.HealthCheckResponse_ServingStatus {
		r, err := healthpb.NewHealthClient(cc).Check(ctx, &healthpb.HealthCheckRequest{Service: "test.Svc"})
		if err != nil {
			t.Errorf("health check: %v", err)
			return healthpb.HealthCheckResponse_UNKNOWN
		}
		return r.GetStatus()
	}
	var duringDrain healthpb.HealthCheckResponse_ServingStatus
	a.OnDrain("observe", func(ctx context.Context) error { duringDrain = check(ctx); return nil })

	stop := start(t, a)
	var err error
	cc, err = grpc.NewClient(g.Addr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	if got := check(context.Background()); got != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("health while running = %v, want SERVING", got)
	}
	if err := stop(); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	if duringDrain != healthpb.HealthCheckResponse_NOT_SERVING {
		t.Errorf("health during drain = %v, want NOT_SERVING", duringDrain)
	}
	if _, err := healthpb.NewHealthClient(cc).Check(context.Background(), &healthpb.HealthCheckRequest{}); errs.KindOf(grpct.FromStatus(err)) != errs.KindUnavailable {
		t.Errorf("health after Run = %v, want unavailable", err)
	}
}

func TestAppWithoutGRPCServicesDoesNotListen(t *testing.T) {
	a := newTestApp(t, nil, nil, WithGetenv(env(map[string]string{"GANTRY_GRPC_ADDR": "127.0.0.1:0"})))
	g := a.NewGRPC()
	stop := start(t, a)
	if g.Addr() != "" {
		t.Errorf("Addr = %q with no service, want empty", g.Addr())
	}
	if err := stop(); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
}
