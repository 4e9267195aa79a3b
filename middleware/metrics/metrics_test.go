package metrics_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.opentelemetry.io/otel/trace"

	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/middleware/metrics"
	"github.com/gantrykit/gantry/telemetry/promreg"
)

// value returns the gauge value or histogram sample count of the series of
// family name whose labels include want, and -1 if there is none.
func value(t *testing.T, reg prometheus.Gatherer, name string, want map[string]string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	series:
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if v, ok := want[l.GetName()]; ok && v != l.GetValue() {
					continue series
				}
			}
			if h := m.GetHistogram(); h != nil {
				return float64(h.GetSampleCount())
			}
			return m.GetGauge().GetValue()
		}
	}
	return -1
}

func TestOutcomes(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		wantCode string
	}{
		{"success", nil, "ok"},
		{"not found", errs.NotFound("x"), "not_found"},
		{"unavailable", errs.Unavailable(0, "x"), "unavailable"},
		{"plain error", errors.New("x"), "internal"},
		{"context deadline", context.DeadlineExceeded, "deadline_exceeded"},
		{"kind beyond table", &errs.Error{Kind: errs.Kind(200)}, "internal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := prometheus.NewPedanticRegistry()
			m, err := metrics.New(reg, metrics.WithService("orders"))
			if err != nil {
				t.Fatal(err)
			}
			op := map[string]string{"method": "get_order", "service": "orders"}
			var during float64
			e := m.For("get_order")(func(context.Context, any) (any, error) {
				during = value(t, reg, "rpc_server_active_requests", op)
				return nil, tt.err
			})
			if _, err := e(context.Background(), nil); err != tt.err {
				t.Errorf("got err %v, want %v", err, tt.err)
			}
			if during != 1 {
				t.Errorf("got %v in flight during the call, want 1", during)
			}
			if got := value(t, reg, "rpc_server_active_requests", op); got != 0 {
				t.Errorf("got %v in flight after the call, want 0", got)
			}
			want := map[string]string{"method": "get_order", "service": "orders", "code": tt.wantCode}
			if got := value(t, reg, "rpc_server_call_duration_seconds", want); got != 1 {
				t.Errorf("got count %v for code %s, want 1", got, tt.wantCode)
			}
			// "ok" is bound up front, error codes when they occur.
			wantSeries := 1
			if tt.wantCode != "ok" {
				wantSeries = 2
			}
			if n, _ := testutil.GatherAndCount(reg, "rpc_server_call_duration_seconds"); n != wantSeries {
				t.Errorf("got %d duration series, want %d", n, wantSeries)
			}
		})
	}
}

func TestPanicLeavesGaugeAtZero(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, _ := metrics.New(reg)
	e := m.For("op")(func(context.Context, any) (any, error) { panic("x") })
	func() {
		defer func() { _ = recover() }()
		_, _ = e(context.Background(), nil)
	}()
	if got := value(t, reg, "rpc_server_active_requests", nil); got != 0 {
		t.Errorf("got %v in flight after a panic, want 0", got)
	}
}

func TestRegistration(t *testing.T) {
	reg := prometheus.NewRegistry()
	if _, err := metrics.New(reg); err != nil {
		t.Fatalf("got %v, want nil", err)
	}
	if _, err := metrics.New(reg); err != nil {
		t.Errorf("second New on the same registry: got %v, want the collectors reused", err)
	}
	c, err := metrics.New(reg, metrics.WithClient())
	if err != nil {
		t.Fatalf("client metrics: got %v, want nil", err)
	}
	_, _ = c.For("op")(func(context.Context, any) (any, error) { return nil, nil })(context.Background(), nil)
	if got := value(t, reg, "rpc_client_call_duration_seconds", map[string]string{"code": "ok"}); got != 1 {
		t.Errorf("got client count %v, want 1", got)
	}
	reg2 := prometheus.NewRegistry()
	reg2.MustRegister(prometheus.NewCounter(prometheus.CounterOpts{Name: "rpc_server_active_requests", Help: "x"}))
	_, err = metrics.New(reg2)
	var clash *promreg.ClashError
	if !errors.As(err, &clash) || clash.Metric != "rpc_server_active_requests" || clash.Owner != "gantry/middleware/metrics" {
		t.Errorf("got %v for a clashing collector, want a *promreg.ClashError naming it and both owners", err)
	}
}

func BenchmarkMetrics(b *testing.B) {
	next := func(context.Context, any) (any, error) { return nil, nil }
	m, _ := metrics.New(prometheus.NewRegistry())
	cases := []struct {
		name string
		e    func(context.Context, any) (any, error)
	}{{"bare", next}, {"metrics", m.For("op")(next)}}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, _ = c.e(context.Background(), nil)
			}
		})
	}
}

// A sampled call leaves its trace ID as an exemplar, which a scraper asking
// for OpenMetrics reads; an unsampled one leaves none.
func TestExemplars(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := metrics.New(reg, metrics.WithService("orders"))
	if err != nil {
		t.Fatal(err)
	}
	e := m.For("get_order")(func(context.Context, any) (any, error) { return nil, nil })
	sc := trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{0xab, 1}, SpanID: trace.SpanID{1}})
	_, _ = e(trace.ContextWithSpanContext(context.Background(), sc), nil)
	if strings.Contains(scrape(t, reg), "trace_id") {
		t.Fatal("an unsampled call left an exemplar")
	}
	_, _ = e(trace.ContextWithSpanContext(context.Background(), sc.WithTraceFlags(trace.FlagsSampled)), nil)
	if body := scrape(t, reg); !strings.Contains(body, `# {trace_id="`+sc.TraceID().String()+`"}`) {
		t.Fatalf("no exemplar with the trace ID in\n%s", body)
	}
}

func scrape(t *testing.T, reg *prometheus.Registry) string {
	t.Helper()
	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{EnableOpenMetrics: true}))
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL, nil)
	req.Header.Set("Accept", "application/openmetrics-text; version=1.0.0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
