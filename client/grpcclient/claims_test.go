package grpcclient_test

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/gantrykit/gantry/client/grpcclient"
	"github.com/gantrykit/gantry/discovery"
	"github.com/gantrykit/gantry/discovery/lb"
	"github.com/gantrykit/gantry/discovery/static"
	"github.com/gantrykit/gantry/retrybudget"
	grpct "github.com/gantrykit/gantry/transport/grpc"
)

// Two connections that share one budget share its retries: once the
// first has spent them, the second's idempotent call is not retried.
func TestSharedRetryBudget(t *testing.T) {
	reg := static.NewRegistry()
	defer reg.Close()
	a, b := start(t, reg, "a"), start(t, reg, "b")
	down := func(context.Context, string) error { return status.Error(codes.Unavailable, "overloaded") }
	a.failWith(down)
	b.failWith(down)
	budget := retrybudget.New(0, 0.2) // 0.2/s over the 10 s window: 2 retries
	opts := []grpcclient.Option{grpcclient.WithIdempotent(methodGet), grpcclient.WithBreaker(false), grpcclient.WithRetry(5, budget)}
	one, two := dial(t, reg, opts...), dial(t, reg, opts...)
	attempts := func() int64 { n := a.calls.Load() + b.calls.Load(); a.calls.Store(0); b.calls.Store(0); return n }

	if _, err := call(context.Background(), one, methodGet); status.Code(err) != codes.Unavailable {
		t.Fatalf("first: %v, want Unavailable", err)
	}
	if n := attempts(); n != 3 {
		t.Fatalf("first connection: %d attempts, want 3 (the budget's 2 retries)", n)
	}
	if _, err := call(context.Background(), two, methodGet); status.Code(err) != codes.Unavailable {
		t.Fatalf("second: %v, want Unavailable", err)
	}
	if n := attempts(); n != 1 {
		t.Fatalf("second connection: %d attempts, want 1 (budget spent by the first)", n)
	}
}

// With one of two instances failing, an idempotent call's retry goes to
// the other: every call succeeds. Each attempt has its own client span in
// the caller's trace and its own observation in
// grpc_client_handling_seconds; the server's span is a child of the
// attempt that reached it.
func TestTelemetryPerAttempt(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	metrics := prometheus.NewRegistry()
	m, err := grpct.NewMetrics(metrics)
	if err != nil {
		t.Fatal(err)
	}
	reg := static.NewRegistry()
	defer reg.Close()
	bad, good := start(t, reg, "bad", grpct.WithTracerProvider(tp)), start(t, reg, "good", grpct.WithTracerProvider(tp))
	// A short decay: a failed instance's penalty fades in milliseconds, so
	// the balancer comes back to bad within a few calls whatever the
	// warm-up's latencies were (with the default 10 s it may never, on a
	// loaded machine, within the test's calls).
	cc := dial(t, reg, grpcclient.WithIdempotent(methodGet), grpcclient.WithBreaker(false),
		grpcclient.WithBalancerOptions(lb.Options{Decay: 20 * time.Millisecond}),
		grpcclient.WithTelemetry(grpct.WithTracerProvider(tp), grpct.WithMetrics(m)))
	eventually(t, "both instances to serve", func() bool {
		_, _ = call(context.Background(), cc, methodPut)
		return bad.calls.Load() > 0 && good.calls.Load() > 0
	})
	bad.calls.Store(0)
	good.calls.Store(0)
	bad.failWith(func(context.Context, string) error { return status.Error(codes.Unavailable, "overloaded") })
	// The good instance answers a little later, so that the balancer
	// (lowest peak-EWMA latency of the two) keeps trying the fast failing
	// one first and every call has a failed attempt and a retry; without
	// it, whether bad is ever tried depends on the warm-up's timing.
	good.failWith(func(context.Context, string) error { time.Sleep(2 * time.Millisecond); return nil })

	ctx, parent := tp.Tracer("test").Start(context.Background(), "parent")
	// At least 40 calls, and on until bad has been tried (bounded).
	var calls int64
	for ; calls < 40 || bad.calls.Load() == 0; calls++ {
		if calls == 4000 {
			t.Fatalf("in %d calls the balancer never tried the failing instance", calls)
		}
		if name, err := call(ctx, cc, methodGet); err != nil || name != "good" {
			t.Fatalf("got %q, %v; want good, nil", name, err)
		}
	}
	parent.End()
	attempts := bad.calls.Load() + good.calls.Load()
	if bad.calls.Load() == 0 || good.calls.Load() != calls {
		t.Fatalf("bad %d, good %d attempts; want bad tried and good %d", bad.calls.Load(), good.calls.Load(), calls)
	}
	clientSpans, serverSpans := map[trace.SpanID]bool{}, 0
	for _, s := range rec.Ended() {
		if s.SpanKind() == trace.SpanKindClient && s.Parent().SpanID() == parent.SpanContext().SpanID() {
			clientSpans[s.SpanContext().SpanID()] = true
		}
	}
	for _, s := range rec.Ended() {
		if s.SpanKind() == trace.SpanKindServer && clientSpans[s.Parent().SpanID()] {
			serverSpans++
		}
	}
	if int64(len(clientSpans)) != attempts || int64(serverSpans) != attempts {
		t.Errorf("%d client spans, %d server spans under them; want one each per attempt (%d)", len(clientSpans), serverSpans, attempts)
	}
	mfs, err := metrics.Gather()
	if err != nil {
		t.Fatal(err)
	}
	byCode := map[string]uint64{}
	for _, mf := range mfs {
		if mf.GetName() != "grpc_client_handling_seconds" {
			continue
		}
		for _, m := range mf.GetMetric() {
			if label(m, "grpc_method") == "Get" {
				byCode[label(m, "grpc_code")] += m.GetHistogram().GetSampleCount()
			}
		}
	}
	if int64(byCode["OK"]) != calls || int64(byCode["Unavailable"]) != bad.calls.Load() {
		t.Errorf("observations by code %v, want OK %d and Unavailable %d", byCode, calls, bad.calls.Load())
	}
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

// A call made before the registry's first answer waits for it instead of
// failing on the empty set an instancer holds until then.
func TestFirstCallWaitsForTheRegistry(t *testing.T) {
	reg := static.NewRegistry()
	defer reg.Close()
	a := start(t, reg, "a")
	cache := discovery.NewCache()
	cc, err := grpcclient.Dial("echo", cache)
	if err != nil {
		t.Fatal(err)
	}
	defer cc.Close()
	go func() {
		time.Sleep(50 * time.Millisecond)
		cache.Update([]discovery.Instance{{Service: "echo", ID: "a", Address: "http://" + a.addr, Transports: map[string]string{"grpc": a.addr}}})
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if name, err := call(ctx, cc, methodGet); err != nil || name != "a" {
		t.Fatalf("got %q, %v; want a, nil", name, err)
	}
}
