package retry_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gantrykit/gantry/middleware/retry"
	"github.com/gantrykit/gantry/retrybudget"
)

func BenchmarkRetry(b *testing.B) {
	next := func(context.Context, any) (any, error) { return "ok", nil }
	cases := []struct {
		name string
		e    func(context.Context, any) (any, error)
	}{
		{"bare", next},
		{"success", retry.New(retry.WithIdempotent("op")).For("op")(next)},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, _ = c.e(context.Background(), nil)
			}
		})
	}
}

// BenchmarkBudget measures the budget's hot path, one request recorded and
// one retry asked for, beside a baseline of a bare atomic add (what a
// request cost in the gateway's former token bucket), serially and from
// all cores at once. Request reads the monotonic clock once, Retry once
// more: baseline_clock_read is that share.
func BenchmarkBudget(b *testing.B) {
	var counter atomic.Int64
	budget := retrybudget.New(0.2, 10)
	b.Run("baseline_atomic_add", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			counter.Add(1)
		}
	})
	epoch := time.Now()
	var sink time.Duration
	b.Run("baseline_clock_read", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sink += time.Since(epoch)
		}
	})
	b.Run("request", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			budget.Request()
		}
	})
	b.Run("request_retry", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			budget.Request()
			budget.Retry()
		}
	})
	b.Run("parallel_baseline_atomic_add", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				counter.Add(1)
			}
		})
	})
	_ = sink
	b.Run("parallel_request_retry", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				budget.Request()
				budget.Retry()
			}
		})
	})
}
