package middleware_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	kitendpoint "github.com/go-kit/kit/endpoint"
	"github.com/prometheus/client_golang/prometheus"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/gantrykit/gantry/endpoint"
	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/middleware"
)

// benchDeps are the dependencies the kit gives the chain: a Prometheus
// registry, an SDK tracer provider that samples the roots the middleware
// asks for (and follows parents), and a JSON logger at INFO.
func benchDeps(sampler sdktrace.Sampler) middleware.Deps {
	return middleware.Deps{
		Service:        "bench",
		Registerer:     prometheus.NewRegistry(),
		TracerProvider: sdktrace.NewTracerProvider(sdktrace.WithSampler(sampler)),
		Logger:         slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo})),
	}
}

func chain(b *testing.B, cfg middleware.Config, deps middleware.Deps, next kitendpoint.Endpoint) kitendpoint.Endpoint {
	s, err := middleware.NewServer(cfg, deps)
	if err != nil {
		b.Fatal(err)
	}
	return endpoint.Chain(s.For("get_order")...)(next)
}

// withoutLayer is the default chain without the named layer.
func withoutLayer(b *testing.B, name string, deps middleware.Deps, next kitendpoint.Endpoint) kitendpoint.Endpoint {
	s, err := middleware.NewServer(middleware.Config{}, deps)
	if err != nil {
		b.Fatal(err)
	}
	var mws []kitendpoint.Middleware
	for i, l := range s.Layers() {
		if l.Name != name {
			mws = append(mws, s.For("get_order")[i])
		}
	}
	return endpoint.Chain(mws...)(next)
}

// BenchmarkChain measures the default server chain against a bare go-kit
// endpoint in the same run.
func BenchmarkChain(b *testing.B) {
	bare := func(_ context.Context, req any) (any, error) { return req, nil }
	parentBased := sdktrace.ParentBased(sdktrace.AlwaysSample())
	all := middleware.Config{
		RateLimit: middleware.RateLimitConfig{PerSecond: 1e12},
		Timeout:   middleware.TimeoutConfig{Timeout: time.Minute},
	}
	cases := []struct {
		name string
		e    kitendpoint.Endpoint
	}{
		{"bare", bare},
		{"default", chain(b, middleware.Config{}, benchDeps(parentBased), bare)},
		// The default without its pass-through ratelimit layer (there while
		// rate_limit.per_second is 0, so that Update can turn it on).
		{"default_without_ratelimit", withoutLayer(b, "ratelimit", benchDeps(parentBased), bare)},
		// Every call starts a (non-recording) span the provider's sampler drops.
		{"default_provider_never_samples", chain(b, middleware.Config{Tracing: middleware.TracingConfig{ProviderSamplesRoots: true}},
			benchDeps(sdktrace.ParentBased(sdktrace.NeverSample())), bare)},
		// Rate limiting and a timeout on top of the default.
		{"all", chain(b, all, benchDeps(parentBased), bare)},
	}
	ctx := context.Background()
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu := cpuTime()
			for b.Loop() {
				if _, err := c.e(ctx, "req"); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, cpu)
		})
	}
}

// reportCPU reports the process CPU time per operation since cpu, as
// "cpu-ns/op" (zero where it cannot be measured).
func reportCPU(b *testing.B, cpu time.Duration) {
	if cpu > 0 {
		b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkChainReject measures rejected calls: "alone" with only the
// rejecting layer, "chain" inside the full default chain (metrics, the span
// decision and the rate-limited error log included).
func BenchmarkChainReject(b *testing.B) {
	ctx := context.Background()
	deps := func() middleware.Deps { return benchDeps(sdktrace.ParentBased(sdktrace.AlwaysSample())) }
	only := middleware.Config{
		Recovery: middleware.RecoveryConfig{Disabled: true}, Tracing: middleware.TracingConfig{Disabled: true},
		Metrics: middleware.MetricsConfig{Disabled: true}, Logging: middleware.LoggingConfig{Disabled: true},
		Shed: middleware.ShedConfig{Disabled: true},
	}
	ok := func(context.Context, any) (any, error) { return nil, nil }
	rateLimited := func(cfg middleware.Config) kitendpoint.Endpoint {
		cfg.RateLimit = middleware.RateLimitConfig{PerSecond: 1e-9, Burst: 1}
		e := chain(b, cfg, deps(), ok)
		_, _ = e(ctx, nil)
		return e
	}
	var wg sync.WaitGroup
	release := make(chan struct{})
	defer func() { close(release); wg.Wait() }()
	shedding := func(cfg middleware.Config) kitendpoint.Endpoint {
		cfg.Shed = middleware.ShedConfig{MaxInFlight: 1, Queue: -1}
		s, err := middleware.NewServer(cfg, deps())
		if err != nil {
			b.Fatal(err)
		}
		hold := make(chan struct{})
		holder := endpoint.Chain(s.For("op")...)(func(context.Context, any) (any, error) { hold <- struct{}{}; <-release; return nil, nil })
		wg.Go(func() { _, _ = holder(ctx, nil) })
		<-hold
		return endpoint.Chain(s.For("op")...)(ok)
	}

	for _, c := range []struct {
		name string
		e    kitendpoint.Endpoint
		kind errs.Kind
	}{
		{"rate_limited/alone", rateLimited(only), errs.KindTooManyRequests},
		{"rate_limited/chain", rateLimited(middleware.Config{}), errs.KindTooManyRequests},
		{"shed/alone", shedding(only), errs.KindUnavailable},
		{"shed/chain", shedding(middleware.Config{}), errs.KindUnavailable},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu := cpuTime()
			for b.Loop() {
				if _, err := c.e(ctx, nil); errs.KindOf(err) != c.kind {
					b.Fatalf("got %v, want %v", err, c.kind)
				}
			}
			reportCPU(b, cpu)
		})
	}
}
