package ratelimit_test

import (
	"context"
	"math"
	"testing"

	"github.com/gantrykit/gantry/middleware/ratelimit"
)

func BenchmarkRateLimit(b *testing.B) {
	ctx := context.Background()
	cases := []struct {
		name string
		e    func(context.Context, any) (any, error)
	}{
		{"bare", ok},
		{"unlimited", ratelimit.New(math.Inf(1), 1).For("op")(ok)},
		{"allow", ratelimit.New(1e12, 1).For("op")(ok)},
		{"allow_keyed", ratelimit.New(1e12, 1, ratelimit.WithKey(keyOf)).For("op")(ok)},
		{"reject", ratelimit.New(1e-9, 1).For("op")(ok)},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, _ = c.e(ctx, "alice")
			}
		})
	}
}
