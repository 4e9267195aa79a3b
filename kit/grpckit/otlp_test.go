package grpckit_test

import (
	"context"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/grpc"

	"github.com/gantrykit/gantry/discovery"
	"github.com/gantrykit/gantry/discovery/static"
	"github.com/gantrykit/gantry/kit"
	"github.com/gantrykit/gantry/kit/grpckit"
	"github.com/gantrykit/gantry/kit/kittest"
)

// receiver is an OTLP/gRPC trace collector: the generated service of the
// OTLP protocol on a real gRPC server.
type receiver struct {
	coltracepb.UnimplementedTraceServiceServer
	mu    sync.Mutex
	names []string
}

func (r *receiver) Export(_ context.Context, req *coltracepb.ExportTraceServiceRequest) (*coltracepb.ExportTraceServiceResponse, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, rs := range req.GetResourceSpans() {
		for _, ss := range rs.GetScopeSpans() {
			for _, s := range ss.GetSpans() {
				r.names = append(r.names, s.GetName())
			}
		}
	}
	return &coltracepb.ExportTraceServiceResponse{}, nil
}

// With kit.WithOTLPGRPC(grpckit.OTLPExporter) and the grpc protocol, the
// App's spans reach an OTLP/gRPC collector; without the option the same
// environment is an error naming what to import (from New on).
func TestOTLPExporterSendsOverGRPC(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rcv := &receiver{}
	srv := grpc.NewServer()
	coltracepb.RegisterTraceServiceServer(srv, rcv)
	go func() { _ = srv.Serve(ln) }()
	defer srv.Stop()
	env := map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://" + ln.Addr().String(), "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
		"OTEL_TRACES_SAMPLER": "parentbased_always_on"}

	a := newApp(t, env, kit.WithOTLPGRPC(grpckit.OTLPExporter))
	stop := kittest.Start(t, a)
	_, span := a.TracerProvider().Tracer("test").Start(context.Background(), "work")
	span.End()
	if err := stop(); err != nil {
		t.Fatalf("Run: got %v, want nil", err)
	}
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	if len(rcv.names) != 1 || rcv.names[0] != "work" {
		t.Errorf("collector got spans %v, want [work]", rcv.names)
	}

	without := kit.New("test-svc", kit.WithArgs(kittest.Args()), kit.WithoutSignals(), kit.WithLogOutput(io.Discard),
		kit.WithGetenv(func(k string) string { return env[k] }))
	err = without.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "kit/grpckit") || !strings.Contains(err.Error(), "OTEL_EXPORTER_OTLP_PROTOCOL") {
		t.Errorf("Run with grpc and no exporter: got %v, want an error naming the variable and kit/grpckit", err)
	}
}

// A registered App advertises its gRPC server as the "grpc" transport.
func TestRegisterAdvertisesGRPC(t *testing.T) {
	reg := static.NewRegistry()
	defer reg.Close()
	a := newApp(t, nil)
	g, err := grpckit.NewServer(a)
	if err != nil {
		t.Fatal(err)
	}
	g.RegisterService(&grpc.ServiceDesc{ServiceName: "test.Empty", HandlerType: (*any)(nil)}, struct{}{})
	a.Register(reg, kit.Registration{GRPC: g, Options: discovery.RegistrarOptions{TTL: time.Minute}})
	stop := kittest.Start(t, a)
	in := reg.Instancer("test-svc")
	defer in.Stop()
	deadline := time.Now().Add(10 * time.Second)
	for len(in.Instances()) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	got := in.Instances()
	if len(got) != 1 || got[0].Transports["grpc"] != g.Addr() {
		t.Fatalf("instances: got %+v, want one with grpc transport %s", got, g.Addr())
	}
	if err := stop(); err != nil {
		t.Fatalf("Run: got %v, want nil", err)
	}
}
