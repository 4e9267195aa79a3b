package client_test

import (
	"context"
	"testing"

	"github.com/gantrykit/gantry/client"
	"github.com/gantrykit/gantry/discovery/static"
	httpt "github.com/gantrykit/gantry/transport/http"
)

// BenchmarkCall compares, over real loopback sockets in one run, the bare
// transport/http typed client of one instance (baseline) with the
// resilient client over three instances (P2C, a breaker per instance,
// retry budget) on the success path.
func BenchmarkCall(b *testing.B) {
	bs := startBackends(b, 3)
	bare, err := httpt.NewClient[getItem, item]("GET", bs[0].srv.URL, "/v1/items/{id}")
	if err != nil {
		b.Fatal(err)
	}
	resilient, err := client.HTTP[getItem, item](static.Fixed("items", addrs(bs)...), "GET", "/v1/items/{id}")
	if err != nil {
		b.Fatal(err)
	}
	defer resilient.Close()
	for _, c := range []struct {
		name string
		call func(context.Context, getItem) (item, error)
	}{
		{"baseline_single_instance", bare.Func()},
		{"resilient_p2c_breaker_retry", resilient.Func()},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.call(context.Background(), getItem{ID: "42"}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
