package middleware_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/go-kit/kit/circuitbreaker"
	kitratelimit "github.com/go-kit/kit/ratelimit"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/sony/gobreaker"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"golang.org/x/time/rate"

	"github.com/gantrykit/gantry/endpoint"
	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/middleware"
	"github.com/gantrykit/gantry/telemetry/promreg"
)

func layerNames(ls []middleware.Layer) string {
	var names []string
	for _, l := range ls {
		names = append(names, l.Name)
	}
	return strings.Join(names, ",")
}

func fullDeps() middleware.Deps {
	return middleware.Deps{
		Service:        "orders",
		Registerer:     prometheus.NewRegistry(),
		TracerProvider: sdktrace.NewTracerProvider(),
		Logger:         slog.New(slog.NewJSONHandler(io.Discard, nil)),
	}
}

func TestServerLayers(t *testing.T) {
	tests := []struct {
		name string
		cfg  middleware.Config
		deps middleware.Deps
		want string
	}{
		{name: "zero config", cfg: middleware.Config{}, deps: fullDeps(), want: "recovery,tracing,metrics,logging,shed,ratelimit"},
		{name: "everything", cfg: middleware.Config{
			RateLimit: middleware.RateLimitConfig{PerSecond: 100},
			Timeout:   middleware.TimeoutConfig{Timeout: time.Second},
		}, deps: fullDeps(), want: "recovery,tracing,metrics,logging,shed,ratelimit,timeout"},
		{name: "all off", cfg: middleware.Config{
			Recovery: middleware.RecoveryConfig{Disabled: true}, Tracing: middleware.TracingConfig{Disabled: true},
			Metrics: middleware.MetricsConfig{Disabled: true}, Logging: middleware.LoggingConfig{Disabled: true},
			Shed: middleware.ShedConfig{Disabled: true},
		}, deps: fullDeps(), want: "ratelimit"},
		{name: "no deps", cfg: middleware.Config{}, deps: middleware.Deps{}, want: "recovery,shed,ratelimit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := middleware.NewServer(tt.cfg, tt.deps)
			if err != nil {
				t.Fatal(err)
			}
			if got := layerNames(s.Layers()); got != tt.want {
				t.Errorf("got layers %q, want %q", got, tt.want)
			}
			mws := s.For("op")
			if len(mws) != len(s.Layers()) {
				t.Errorf("got %d middlewares, want %d", len(mws), len(s.Layers()))
			}
			e := endpoint.Chain(mws...)(func(context.Context, any) (any, error) { return "ok", nil })
			if resp, err := e(context.Background(), nil); resp != "ok" || err != nil {
				t.Errorf("got %v, %v, want ok, nil", resp, err)
			}
		})
	}
}

func TestClientLayers(t *testing.T) {
	tests := []struct {
		name string
		cfg  middleware.ClientConfig
		want string
	}{
		{name: "zero config", want: "tracing,metrics,logging,retry,breaker"},
		{name: "with timeout", cfg: middleware.ClientConfig{Timeout: middleware.TimeoutConfig{Timeout: time.Second}},
			want: "tracing,metrics,logging,retry,breaker,timeout"},
		{name: "no retry", cfg: middleware.ClientConfig{Retry: middleware.RetryConfig{Disabled: true}}, want: "tracing,metrics,logging,breaker"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := middleware.NewClient(tt.cfg, fullDeps())
			if err != nil {
				t.Fatal(err)
			}
			if got := layerNames(c.Layers()); got != tt.want {
				t.Errorf("got layers %q, want %q", got, tt.want)
			}
		})
	}
}

func TestClientRetriesIdempotentOps(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	deps := fullDeps()
	deps.TracerProvider = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	c, err := middleware.NewClient(middleware.ClientConfig{
		Retry: middleware.RetryConfig{Idempotent: []string{"products.get"}, BaseDelay: time.Microsecond},
	}, deps)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		op        string
		wantCalls int
	}{{"products.get", 3}, {"orders.create", 1}} {
		calls := 0
		e := endpoint.Chain(c.For(tt.op)...)(func(context.Context, any) (any, error) {
			calls++
			return nil, errs.Unavailable(0, "down")
		})
		if _, err := e(context.Background(), nil); errs.KindOf(err) != errs.KindUnavailable {
			t.Errorf("%s: got %v, want unavailable", tt.op, err)
		}
		if calls != tt.wantCalls {
			t.Errorf("%s: got %d calls, want %d", tt.op, calls, tt.wantCalls)
		}
	}
	// One client span per logical call, outside the retries.
	if got := len(rec.Ended()); got != 2 {
		t.Errorf("got %d spans, want 2", got)
	}
}

// A metric name of either chain taken on the registry by someone else is
// an error from the constructor naming the metric and both owners.
func TestMetricsClash(t *testing.T) {
	for _, name := range []string{
		"rpc_server_active_requests", "rpc_server_call_duration_seconds", "shed_concurrency_limit",
		"rpc_client_call_duration_seconds", "retry_attempts_total", "retry_budget_exhausted_total",
		"breaker_state", "breaker_transitions_total",
	} {
		reg := prometheus.NewRegistry()
		reg.MustRegister(prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: "x"}))
		_, err := middleware.NewServer(middleware.Config{}, middleware.Deps{Registerer: reg})
		if err == nil {
			_, err = middleware.NewClient(middleware.ClientConfig{}, middleware.Deps{Registerer: reg})
		}
		var clash *promreg.ClashError
		if !errors.As(err, &clash) || clash.Metric != name || !strings.Contains(err.Error(), "outside Gantry") {
			t.Errorf("%s taken: got %v, want a *promreg.ClashError naming it and both owners", name, err)
		}
	}
	// Two chains on one registry share the collectors.
	reg2 := prometheus.NewRegistry()
	for range 2 {
		if _, err := middleware.NewServer(middleware.Config{}, middleware.Deps{Registerer: reg2}); err != nil {
			t.Fatalf("got %v, want nil", err)
		}
		if _, err := middleware.NewClient(middleware.ClientConfig{}, middleware.Deps{Registerer: reg2}); err != nil {
			t.Fatalf("got %v, want nil", err)
		}
	}
}

// TestPromtool serves the metrics of a registry the chains have used and
// checks them with promtool.
func TestPromtool(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("promtool not found: %v", err)
		}
		t.Skip("promtool not installed")
	}
	reg := prometheus.NewRegistry()
	deps := fullDeps()
	deps.Registerer = reg
	s, err := middleware.NewServer(middleware.Config{}, deps)
	if err != nil {
		t.Fatal(err)
	}
	c, err := middleware.NewClient(middleware.ClientConfig{Retry: middleware.RetryConfig{Idempotent: []string{"products.get"}, BaseDelay: time.Microsecond},
		Breaker: middleware.BreakerConfig{ConsecutiveFailures: 1}}, deps)
	if err != nil {
		t.Fatal(err)
	}
	fail := func(context.Context, any) (any, error) { return nil, errs.Unavailable(0, "down") }
	for _, e := range []func(context.Context, any) (any, error){
		endpoint.Chain(s.For("create_order")...)(func(context.Context, any) (any, error) { return "ok", nil }),
		endpoint.Chain(s.For("get_order")...)(fail),
		endpoint.Chain(c.For("products.get")...)(fail),
	} {
		for range 3 {
			_, _ = e(context.Background(), nil)
		}
	}
	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"rpc_server_call_duration_seconds_bucket", "rpc_client_call_duration_seconds_count",
		"rpc_server_active_requests", "breaker_state", "breaker_transitions_total", "retry_attempts_total", "shed_concurrency_limit"} {
		if !bytes.Contains(body, []byte(want)) {
			t.Errorf("got no %s in /metrics", want)
		}
	}
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = bytes.NewReader(body)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}

// TestGoKitErrorsCounted: go-kit's own middleware in a Gantry chain is
// counted by its errors' kinds: a go-kit rate limit's rejection is
// too_many_requests in the metrics and never a breaker failure; a go-kit
// breaker's open state is unavailable, not internal.
func TestGoKitErrorsCounted(t *testing.T) {
	reg := prometheus.NewRegistry()
	deps := middleware.Deps{Service: "orders", Registerer: reg}
	s, err := middleware.NewServer(middleware.Config{}, deps)
	if err != nil {
		t.Fatal(err)
	}
	c, err := middleware.NewClient(middleware.ClientConfig{Breaker: middleware.BreakerConfig{ConsecutiveFailures: 1}}, deps)
	if err != nil {
		t.Fatal(err)
	}
	ok := func(context.Context, any) (any, error) { return "ok", nil }
	limited := kitratelimit.NewErroringLimiter(rate.NewLimiter(0, 0))(ok)
	server := endpoint.Chain(s.For("list")...)(limited)
	client := endpoint.Chain(c.For("products.list")...)(limited)
	for range 5 {
		_, _ = server(context.Background(), nil)
		if _, err := client(context.Background(), nil); !errors.Is(err, kitratelimit.ErrLimited) {
			t.Fatalf("client call: got %v, want go-kit's ErrLimited (a breaker that counted it would have opened)", err)
		}
	}
	if got := metricCount(t, reg, "rpc_server_call_duration_seconds", "list", "too_many_requests"); got != 5 {
		t.Errorf("server: got %d too_many_requests calls, want 5", got)
	}
	if got := metricCount(t, reg, "rpc_server_call_duration_seconds", "list", "internal"); got != 0 {
		t.Errorf("server: got %d internal calls, want 0", got)
	}

	cb := gobreaker.NewCircuitBreaker(gobreaker.Settings{})
	down := circuitbreaker.Gobreaker(cb)(func(context.Context, any) (any, error) { return nil, errors.New("refused") })
	open := endpoint.Chain(s.For("get")...)(down)
	for range 8 {
		_, _ = open(context.Background(), nil)
	}
	if got := metricCount(t, reg, "rpc_server_call_duration_seconds", "get", "unavailable"); got < 2 {
		t.Errorf("server: got %d unavailable calls once go-kit's breaker opened, want at least 2", got)
	}
}

// metricCount returns the sample count of the histogram name's series for
// method and code.
func metricCount(t *testing.T, reg *prometheus.Registry, name, method, code string) uint64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["method"] == method && labels["code"] == code {
				return m.GetHistogram().GetSampleCount()
			}
		}
	}
	return 0
}

// TestServerErrors: the kinds a chain's own layers answer with follow the
// layers the config switched on.
func TestServerErrors(t *testing.T) {
	s, err := middleware.NewServer(middleware.Config{Timeout: middleware.TimeoutConfig{Timeout: time.Second}}, middleware.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(s.Errors()); got != "[internal unavailable too_many_requests deadline_exceeded]" {
		t.Errorf("got %s", got)
	}
	s, err = middleware.NewServer(middleware.Config{Shed: middleware.ShedConfig{Disabled: true}}, middleware.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(s.Errors()); got != "[internal too_many_requests]" {
		t.Errorf("without shed and timeout: got %s", got)
	}
}
