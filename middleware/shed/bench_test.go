package shed_test

import (
	"context"
	"sync"
	"testing"

	"github.com/gantrykit/gantry/middleware/shed"
)

func BenchmarkShed(b *testing.B) {
	next := func(context.Context, any) (any, error) { return nil, nil }
	ctx := context.Background()
	b.Run("bare", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = next(ctx, nil)
		}
	})
	b.Run("admit", func(b *testing.B) {
		e := shed.New().For("op")(next)
		b.ReportAllocs()
		for b.Loop() {
			_, _ = e(ctx, nil)
		}
	})
	b.Run("reject", func(b *testing.B) {
		hold, release := make(chan struct{}), make(chan struct{})
		s := shed.New(shed.WithMaxInFlight(1), shed.WithQueue(0, 0))
		holder := s.For("op")(func(context.Context, any) (any, error) { hold <- struct{}{}; <-release; return nil, nil })
		var wg sync.WaitGroup
		wg.Go(func() { _, _ = holder(ctx, nil) })
		<-hold
		e := s.For("op")(next)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := e(ctx, nil); err == nil {
				b.Fatal("got admitted, want rejected")
			}
		}
		b.StopTimer()
		close(release)
		wg.Wait()
	})
}
