package grpc_test

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gantrykit/gantry/telemetry/promreg/promregtest"
	grpct "github.com/gantrykit/gantry/transport/grpc"
)

// metricsOn returns the transport's Metrics on reg, failing tb on a clash.
func metricsOn(tb testing.TB, reg prometheus.Registerer) *grpct.Metrics {
	tb.Helper()
	m, err := grpct.NewMetrics(reg)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// A metric-name clash is NewMetrics's error, naming the metric and both
// owners, for either side's histogram; two servers' (or connections')
// Metrics on one registry share its collectors.
func TestMetricsClash(t *testing.T) {
	for _, name := range []string{"grpc_server_handling_seconds", "grpc_client_handling_seconds"} {
		t.Run(name, func(t *testing.T) {
			promregtest.Clash(t, name, "gantry/transport/grpc", func(reg prometheus.Registerer) error {
				m, err := grpct.NewMetrics(reg)
				if err == nil {
					srv := grpct.NewServer(grpct.WithMetrics(m))
					srv.GRPC().Stop()
				}
				return err
			})
		})
	}
}
