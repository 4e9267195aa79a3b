package main

import (
	"bytes"
	"context"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"

	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/examples/grpc/pricespb"
	"github.com/gantrykit/gantry/internal/exampletest"
	"github.com/gantrykit/gantry/internal/otlptest"
	grpct "github.com/gantrykit/gantry/transport/grpc"
)

var binary string

func TestMain(m *testing.M) { exampletest.Main(m, &binary, main) }

func dial(t *testing.T, p *exampletest.Proc) *grpc.ClientConn {
	t.Helper()
	addr := p.LogField(t, "serving gRPC", "grpc_addr")
	cc, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cc.Close() })
	return cc
}

// TestBothTransports: the same endpoint answers over HTTP and gRPC, errors
// keep their kind on both, a gRPC caller's trace and request ID continue
// in the service, and both transports count in the same metrics.
func TestBothTransports(t *testing.T) {
	// The service exports its spans to a receiver decoding OTLP as a
	// collector does; debug level adds a log line per successful call.
	rcv := otlptest.New(t)
	p := exampletest.Start(t, binary, "GANTRY_GRPC_ADDR=127.0.0.1:0",
		"OTEL_EXPORTER_OTLP_ENDPOINT="+rcv.URL, "OTEL_BSP_SCHEDULE_DELAY=50", "GANTRY_LOG_LEVEL=debug")
	cc := dial(t, p)
	getPrice := grpct.NewClient(cc, pricespb.Prices_GetPrice_FullMethodName,
		func(_ context.Context, sku string) (*pricespb.GetPriceRequest, error) {
			return &pricespb.GetPriceRequest{Sku: sku}, nil
		},
		func(_ context.Context, r *pricespb.Price) (int64, error) { return r.GetCents(), nil })

	ctx := context.Background()
	if cents, err := getPrice(ctx, "teapot"); err != nil || cents != 2500 {
		t.Fatalf("gRPC teapot = %d, %v; want 2500", cents, err)
	}
	_, err := getPrice(ctx, "anvil")
	if errs.KindOf(err) != errs.KindNotFound || err.Error() != `no product "anvil"` {
		t.Errorf("gRPC anvil err = %v (kind %v), want not_found with the service's message", err, errs.KindOf(err))
	}
	// A plain grpc-go client sees the standard status code.
	raw := pricespb.NewPricesClient(cc)
	if _, err := raw.GetPrice(ctx, &pricespb.GetPriceRequest{Sku: "anvil"}); status.Code(err) != codes.NotFound {
		t.Errorf("raw client code = %v, want NotFound", status.Code(err))
	}
	expired, cancel := context.WithDeadline(ctx, time.Now().Add(-time.Second))
	defer cancel()
	if _, err := getPrice(expired, "teapot"); errs.KindOf(err) != errs.KindDeadlineExceeded {
		t.Errorf("expired deadline err = %v, want deadline_exceeded", err)
	}

	checkPropagation(t, p, rcv, raw)

	checkREADMECurl(t, p.HTTPURL)
	resp, b := exampletest.Do(t, "GET", p.HTTPURL+"/v1/prices/anvil", "", nil)
	if resp.StatusCode != 404 || !bytes.Contains(b, []byte(`no product \"anvil\"`)) {
		t.Errorf("HTTP anvil = %d %s, want the same 404", resp.StatusCode, b)
	}
	_, metrics := exampletest.Do(t, "GET", p.AdminURL+"/metrics", "", nil)
	// The endpoint chain counts both transports' calls per operation; the
	// gRPC transport has its own family, beside it on the same registry.
	for _, want := range []string{
		`rpc_server_call_duration_seconds_count{code="not_found",method="get_price",service="prices"} 3`,
		`grpc_server_handling_seconds_count{grpc_code="NotFound",grpc_method="GetPrice",grpc_service="gantry.examples.prices.v1.Prices"} 2`,
	} {
		if !bytes.Contains(metrics, []byte(want)) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	exampletest.Promtool(t, metrics)
}

// TestHealthAndReflection: grpc.health.v1 answers SERVING, reflection lists
// the service and describes it well enough for the README's grpcurl calls
// to print what it says, and from the start of shutdown health says
// NOT_SERVING.
func TestHealthAndReflection(t *testing.T) {
	p := exampletest.Start(t, binary, "GANTRY_GRPC_ADDR=127.0.0.1:0", "GANTRY_DRAIN_DELAY=1s")
	cc := dial(t, p)
	ctx := context.Background()
	health := healthpb.NewHealthClient(cc)
	const svc = "gantry.examples.prices.v1.Prices"
	if r, err := health.Check(ctx, &healthpb.HealthCheckRequest{Service: svc}); err != nil || r.Status != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("health = %v, %v; want SERVING", r, err)
	}

	stream, err := reflectionpb.NewServerReflectionClient(cc).ServerReflectionInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(&reflectionpb.ServerReflectionRequest{MessageRequest: &reflectionpb.ServerReflectionRequest_ListServices{}}); err != nil {
		t.Fatal(err)
	}
	r, err := stream.Recv()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range r.GetListServicesResponse().GetService() {
		found = found || s.GetName() == svc
	}
	if !found {
		t.Errorf("reflection services = %v, want %s", r.GetListServicesResponse().GetService(), svc)
	}
	_ = stream.CloseSend()
	checkREADMEGrpcurl(t, cc)

	if err := p.Cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(900 * time.Millisecond)
	for {
		r, err := health.Check(ctx, &healthpb.HealthCheckRequest{Service: svc})
		if err == nil && r.Status == healthpb.HealthCheckResponse_NOT_SERVING {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("health during the drain = %v, %v; want NOT_SERVING", r, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := p.Wait(t, 20*time.Second); err != nil {
		t.Errorf("exit: %v, want 0", err)
	}
}
