package grpckit_test

import (
	"context"
	"io"
	"testing"

	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/kit"
	"github.com/gantrykit/gantry/kit/grpckit"
	"github.com/gantrykit/gantry/kit/kittest"
	grpct "github.com/gantrykit/gantry/transport/grpc"
)

func TestMain(m *testing.M) {
	// os/signal's loop goroutine is the runtime's, not the App's.
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("os/signal.loop"))
}

// newApp builds an App on loopback ports with no signals and the given
// environment.
func newApp(t *testing.T, env map[string]string, opts ...kit.Option) *kit.App {
	t.Helper()
	base := []kit.Option{kit.WithArgs(kittest.Args()), kit.WithoutSignals(), kit.WithLogOutput(io.Discard), kit.WithGetenv(func(k string) string { return env[k] })}
	a := kit.New("test-svc", append(base, opts...)...)
	if err := a.Err(); err != nil {
		t.Fatalf("New: got error %v, want nil", err)
	}
	return a
}

// The App serves gRPC health on GANTRY_GRPC_ADDR: SERVING while it runs,
// NOT_SERVING once shutdown begins (observed from a drain hook, which runs
// after the gRPC one), and stops the server by the end of Run.
func TestServerServesHealthAndDrains(t *testing.T) {
	a := newApp(t, nil)
	g, err := grpckit.NewServer(a)
	if err != nil {
		t.Fatal(err)
	}
	// Any service makes the App serve.
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

	stop := kittest.Start(t, a)
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

func TestServerWithoutServicesDoesNotListen(t *testing.T) {
	a := newApp(t, nil)
	g, err := grpckit.NewServer(a)
	if err != nil {
		t.Fatal(err)
	}
	stop := kittest.Start(t, a)
	if g.Addr() != "" {
		t.Errorf("Addr = %q with no service, want empty", g.Addr())
	}
	if err := stop(); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	var none *grpckit.Server
	if none.Addr() != "" {
		t.Errorf("nil Server's Addr = %q, want empty", none.Addr())
	}
}
