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
	"go.opentelemetry.io/otel/trace"

	"github.com/gantrykit/gantry/endpoint"
	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/middleware"
	"github.com/gantrykit/gantry/middleware/tracing"
)

// benchDeps are the dependencies the kit gives the chain: a Prometheus
// registry, an SDK tracer provider with sampler, and a JSON logger at
// INFO. With parentBased the tracing layer is told the sampler is
// ParentBased with a root ratio of 0 (kit's default), as kit tells it.
func benchDeps(sampler sdktrace.Sampler, parentBased bool) middleware.Deps {
	d := middleware.Deps{
		Service:        "bench",
		Registerer:     prometheus.NewRegistry(),
		TracerProvider: sdktrace.NewTracerProvider(sdktrace.WithSampler(sampler)),
		Logger:         slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo})),
	}
	if parentBased {
		d.TracerOptions = []tracing.Option{tracing.WithParentBased(0)}
	}
	return d
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
// endpoint in the same run. The App's sampler is parent-based with roots
// at 0 unless configured, so "default" (a call without trace context) and
// "unsampled_parent" (below a caller that did not sample, as after a
// transport extracted its traceparent) are the unsampled costs that the
// budget holds; "sampled_parent" records a span (to a provider with no
// exporter, so export is left out).
func BenchmarkChain(b *testing.B) {
	bare := func(_ context.Context, req any) (any, error) { return req, nil }
	kitSampler := sdktrace.ParentBased(sdktrace.NeverSample())
	all := middleware.Config{
		RateLimit: middleware.RateLimitConfig{PerSecond: 1e12},
		Timeout:   middleware.TimeoutConfig{Timeout: time.Minute},
	}
	remote := trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{1}, SpanID: trace.SpanID{2}, Remote: true})
	background := context.Background()
	unsampled := trace.ContextWithRemoteSpanContext(background, remote)
	sampled := trace.ContextWithRemoteSpanContext(background, remote.WithTraceFlags(trace.FlagsSampled))
	cases := []struct {
		name string
		ctx  context.Context
		e    kitendpoint.Endpoint
	}{
		{"bare", background, bare},
		{"default", background, chain(b, middleware.Config{}, benchDeps(kitSampler, true), bare)},
		{"unsampled_parent", unsampled, chain(b, middleware.Config{}, benchDeps(kitSampler, true), bare)},
		{"sampled_parent", sampled, chain(b, middleware.Config{}, benchDeps(kitSampler, true), bare)},
		// The default without its pass-through ratelimit layer (there while
		// rate_limit.per_second is 0, so that Update can turn it on).
		{"default_without_ratelimit", background, withoutLayer(b, "ratelimit", benchDeps(kitSampler, true), bare)},
		// A tracing layer not told the sampler is parent-based: every call
		// starts a (non-recording) span the provider's sampler drops.
		{"unsampled_parent_no_fast_path", unsampled, chain(b, middleware.Config{}, benchDeps(kitSampler, false), bare)},
		// Rate limiting and a timeout on top of the default.
		{"all", background, chain(b, all, benchDeps(kitSampler, true), bare)},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu := cpuTime()
			for b.Loop() {
				if _, err := c.e(c.ctx, "req"); err != nil {
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
	deps := func() middleware.Deps { return benchDeps(sdktrace.ParentBased(sdktrace.NeverSample()), true) }
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
