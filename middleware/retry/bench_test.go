package retry_test

import (
	"context"
	"testing"

	"github.com/gantrykit/gantry/middleware/retry"
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
