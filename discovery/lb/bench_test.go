package lb_test

import (
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/gantrykit/gantry/discovery/lb"
	"github.com/gantrykit/gantry/discovery/static"
	"github.com/go-kit/kit/endpoint"
	"github.com/go-kit/kit/sd"
	kitlb "github.com/go-kit/kit/sd/lb"
	"github.com/go-kit/log"
)

func nopFactory(string) (endpoint.Endpoint, io.Closer, error) {
	return func(context.Context, any) (any, error) { return nil, nil }, nil, nil
}

func addrs(n int) []string {
	a := make([]string, n)
	for i := range a {
		a[i] = fmt.Sprintf("10.0.%d.%d:8080", i/256, i%256)
	}
	return a
}

// BenchmarkPick measures Endpoint (one pick) for each policy, beside go-kit's
// own round robin over sd.NewEndpointer as the baseline.
func BenchmarkPick(b *testing.B) {
	for _, n := range []int{3, 100} {
		inst := static.Fixed("s", addrs(n)...)
		b.Run(fmt.Sprintf("gokit_round_robin/%d", n), func(b *testing.B) {
			e := sd.NewEndpointer(inst, nopFactory, log.NewNopLogger())
			defer e.Close()
			bal := kitlb.NewRoundRobin(e)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := bal.Endpoint(); err != nil {
					b.Fatal(err)
				}
			}
		})
		for _, p := range []lb.Policy{lb.RoundRobin(), lb.Random(), lb.P2C()} {
			b.Run(fmt.Sprintf("%s/%d", p, n), func(b *testing.B) {
				bal := lb.New(inst, nopFactory, p, lb.Options{})
				defer bal.Close()
				warm(bal, 10*n) // every instance has latency statistics
				b.ReportAllocs()
				for b.Loop() {
					if _, err := bal.Endpoint(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkPickAndCall adds the measured call through the picked endpoint
// (latency and in-flight bookkeeping) to a pick.
func BenchmarkPickAndCall(b *testing.B) {
	inst := static.Fixed("s", addrs(3)...)
	ctx := context.Background()
	b.Run("gokit_round_robin", func(b *testing.B) {
		e := sd.NewEndpointer(inst, nopFactory, log.NewNopLogger())
		defer e.Close()
		bal := kitlb.NewRoundRobin(e)
		b.ReportAllocs()
		for b.Loop() {
			ep, _ := bal.Endpoint()
			_, _ = ep(ctx, nil)
		}
	})
	b.Run("p2c_ewma", func(b *testing.B) {
		bal := lb.New(inst, nopFactory, lb.P2C(), lb.Options{})
		defer bal.Close()
		b.ReportAllocs()
		for b.Loop() {
			ep, _ := bal.Endpoint()
			_, _ = ep(ctx, nil)
		}
	})
}

func warm(bal *lb.Balancer, calls int) {
	for range calls {
		ep, _ := bal.Endpoint()
		_, _ = ep(context.Background(), nil)
	}
}

// BenchmarkRetry is the success path of Retry (budget bookkeeping, one
// pick, one call) beside a bare pick and call through the same balancer.
func BenchmarkRetry(b *testing.B) {
	inst := static.Fixed("s", addrs(3)...)
	bal := lb.New(inst, nopFactory, lb.P2C(), lb.Options{})
	defer bal.Close()
	ctx := context.Background()
	b.Run("pick_and_call", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			ep, _ := bal.Endpoint()
			_, _ = ep(ctx, nil)
		}
	})
	b.Run("retry", func(b *testing.B) {
		ep := lb.Retry(bal, lb.RetryOptions{Idempotent: true})
		b.ReportAllocs()
		for b.Loop() {
			_, _ = ep(ctx, nil)
		}
	})
}
