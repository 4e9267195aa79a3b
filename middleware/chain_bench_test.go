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

	"github.com/gantrykit/gantry/kit/endpoint"
	"github.com/gantrykit/gantry/kit/errs"
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
			for b.Loop() {
				if _, err := c.e(ctx, "req"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkChainReject measures calls rejected inside the full default
// chain (including the metrics, the span decision and the error log line).
func BenchmarkChainReject(b *testing.B) {
	ctx := context.Background()
	down := func(context.Context, any) (any, error) { return nil, errs.Unavailable(0, "down") }
	open := chain(b, middleware.Config{}, benchDeps(sdktrace.ParentBased(sdktrace.AlwaysSample())), down)
	for range 5 {
		_, _ = open(ctx, nil)
	}
	limited := chain(b, middleware.Config{RateLimit: middleware.RateLimitConfig{PerSecond: 1e-9, Burst: 1}},
		benchDeps(sdktrace.ParentBased(sdktrace.AlwaysSample())), func(context.Context, any) (any, error) { return nil, nil })
	_, _ = limited(ctx, nil)

	hold, release := make(chan struct{}), make(chan struct{})
	s, _ := middleware.NewServer(middleware.Config{Shed: middleware.ShedConfig{MaxInFlight: 1, Queue: -1}},
		benchDeps(sdktrace.ParentBased(sdktrace.AlwaysSample())))
	holder := endpoint.Chain(s.For("op")...)(func(context.Context, any) (any, error) { hold <- struct{}{}; <-release; return nil, nil })
	shed := endpoint.Chain(s.For("op")...)(func(context.Context, any) (any, error) { return nil, nil })
	var wg sync.WaitGroup
	wg.Go(func() { _, _ = holder(ctx, nil) })
	<-hold
	defer func() { close(release); wg.Wait() }()

	for _, c := range []struct {
		name string
		e    kitendpoint.Endpoint
		kind errs.Kind
	}{{"breaker_open", open, errs.KindUnavailable}, {"rate_limited", limited, errs.KindTooManyRequests}, {"shed", shed, errs.KindUnavailable}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.e(ctx, nil); errs.KindOf(err) != c.kind {
					b.Fatalf("got %v, want %v", err, c.kind)
				}
			}
		})
	}
}
