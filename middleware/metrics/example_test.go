package metrics_test

import (
	"context"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/middleware/metrics"
)

func Example() {
	reg := prometheus.NewRegistry()
	m, err := metrics.New(reg, metrics.WithService("orders"))
	if err != nil {
		panic(err)
	}
	e := m.For("get_order")(func(context.Context, any) (any, error) { return nil, errs.NotFound("no order") })
	_, _ = e(context.Background(), nil)

	mfs, _ := reg.Gather()
	for _, mf := range mfs {
		for _, s := range mf.GetMetric() {
			if h := s.GetHistogram(); h != nil && h.GetSampleCount() > 0 {
				fmt.Println(mf.GetName(), s.GetLabel()[0].GetValue(), h.GetSampleCount())
			}
		}
	}
	// Output: rpc_server_call_duration_seconds not_found 1
}
