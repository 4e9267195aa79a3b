package breaker_test

import (
	"context"
	"testing"
	"time"

	"github.com/gantrykit/gantry/middleware/breaker"
)

func BenchmarkBreaker(b *testing.B) {
	ok := func(context.Context, any) (any, error) { return "ok", nil }
	down := func(context.Context, any) (any, error) { return nil, errDown }
	open := breaker.New(breaker.WithOpenTimeout(time.Hour)).For("op")(down)
	for range 5 {
		_, _ = open(context.Background(), nil)
	}
	cases := []struct {
		name string
		e    func(context.Context, any) (any, error)
	}{
		{"bare", ok},
		{"closed", breaker.New().For("op")(ok)},
		{"open", open},
		{"adaptive", breaker.New(breaker.WithAdaptive(2)).For("op")(ok)},
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
