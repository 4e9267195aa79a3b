package grpc_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"google.golang.org/grpc"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	rpb "google.golang.org/grpc/reflection/grpc_reflection_v1"

	"github.com/gantrykit/gantry/errs"
	pb "github.com/gantrykit/gantry/transport/grpc/internal/greetpb"
)

func TestDeadlineSeenByServer(t *testing.T) {
	_, cc := start(t, func(ctx context.Context, _ string) (string, error) {
		d, ok := ctx.Deadline()
		if !ok {
			return "none", nil
		}
		return strconv.FormatInt(int64(time.Until(d)), 10), nil
	})
	call := greetClient(cc)
	got, err := call(context.Background(), "x")
	if err != nil || got != "none" {
		t.Fatalf("without deadline: got %q, %v; want none", got, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	got, err = call(ctx, "x")
	left, perr := strconv.ParseInt(got, 10, 64)
	if err != nil || perr != nil || left <= 0 || time.Duration(left) > time.Hour {
		t.Fatalf("got %q, %v; want a remaining time in (0, 1h]", got, err)
	}
}

func TestDeadlineExceededKind(t *testing.T) {
	_, cc := start(t, func(ctx context.Context, _ string) (string, error) {
		<-ctx.Done()
		return "", ctx.Err()
	})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := greetClient(cc)(ctx, "x")
	if k := errs.KindOf(err); k != errs.KindDeadlineExceeded {
		t.Fatalf("got %v (%v), want deadline_exceeded", k, err)
	}
}

func healthOf(t *testing.T, cc *grpc.ClientConn, service string) healthpb.HealthCheckResponse_ServingStatus {
	t.Helper()
	r, err := healthpb.NewHealthClient(cc).Check(context.Background(), &healthpb.HealthCheckRequest{Service: service})
	if err != nil {
		t.Fatalf("health check %q: %v", service, err)
	}
	return r.GetStatus()
}

// Health goes SERVING → NOT_SERVING when shutdown starts, and an in-flight
// call completes during GracefulStop.
func TestShutdownDrainsInFlight(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	srv, cc := start(t, func(ctx context.Context, name string) (string, error) {
		close(started)
		<-release
		return "late " + name, nil
	})
	for _, svc := range []string{"", pb.Greeter_ServiceDesc.ServiceName} {
		if got := healthOf(t, cc, svc); got != healthpb.HealthCheckResponse_SERVING {
			t.Fatalf("health %q = %v, want SERVING", svc, got)
		}
	}
	type result struct {
		msg string
		err error
	}
	res := make(chan result, 1)
	go func() {
		msg, err := greetClient(cc)(context.Background(), "bob")
		res <- result{msg, err}
	}()
	<-started
	srv.Drain() // what Shutdown does first
	for _, svc := range []string{"", pb.Greeter_ServiceDesc.ServiceName} {
		if got := healthOf(t, cc, svc); got != healthpb.HealthCheckResponse_NOT_SERVING {
			t.Fatalf("health %q after drain = %v, want NOT_SERVING", svc, got)
		}
	}
	stopped := make(chan error, 1)
	go func() { stopped <- srv.Shutdown(context.Background()) }()
	// GracefulStop has begun once a fresh connection cannot call.
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		_, err := healthpb.NewHealthClient(dial(t, cc.Target()[len("passthrough:///"):])).Check(ctx, &healthpb.HealthCheckRequest{})
		cancel()
		if err != nil {
			break
		}
	}
	select {
	case <-stopped:
		t.Fatal("Shutdown returned while a call was in flight")
	default:
	}
	close(release)
	if r := <-res; r.err != nil || r.msg != "late bob" {
		t.Fatalf("in-flight call: got %q, %v; want late bob, nil", r.msg, r.err)
	}
	if err := <-stopped; err != nil {
		t.Fatalf("Shutdown = %v, want nil", err)
	}
}

func TestShutdownContextForcesStop(t *testing.T) {
	started := make(chan struct{})
	srv, cc := start(t, func(ctx context.Context, _ string) (string, error) {
		close(started)
		<-ctx.Done()
		return "", ctx.Err()
	})
	res := make(chan error, 1)
	go func() {
		_, err := greetClient(cc)(context.Background(), "x")
		res <- err
	}()
	<-started
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := srv.Shutdown(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Shutdown = %v, want context.Canceled", err)
	}
	if err := <-res; err == nil {
		t.Fatal("in-flight call succeeded after a forced stop, want an error")
	}
}

func TestReflectionListsServices(t *testing.T) {
	srv, cc := start(t, hello)
	stream, err := rpb.NewServerReflectionClient(cc).ServerReflectionInfo(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(&rpb.ServerReflectionRequest{MessageRequest: &rpb.ServerReflectionRequest_ListServices{}}); err != nil {
		t.Fatal(err)
	}
	resp, err := stream.Recv()
	if err != nil {
		t.Fatal(err)
	}
	_ = stream.CloseSend()
	found := map[string]bool{}
	for _, s := range resp.GetListServicesResponse().GetService() {
		found[s.GetName()] = true
	}
	for _, want := range []string{pb.Greeter_ServiceDesc.ServiceName, "grpc.health.v1.Health"} {
		if !found[want] {
			t.Errorf("reflection lists %v, want %s among them", found, want)
		}
	}
	if got := srv.Services(); len(got) != 1 || got[0] != pb.Greeter_ServiceDesc.ServiceName {
		t.Errorf("Services() = %v, want [gantry.example.v1.Greeter]", got)
	}
}
