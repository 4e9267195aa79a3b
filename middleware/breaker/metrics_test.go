package breaker_test

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gantrykit/gantry/middleware/breaker"
	"github.com/gantrykit/gantry/telemetry/promreg/promregtest"
)

func newMetrics(t *testing.T, reg prometheus.Registerer) *breaker.Metrics {
	t.Helper()
	m, err := breaker.NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMetricsClash(t *testing.T) {
	for _, name := range []string{"breaker_state", "breaker_transitions_total"} {
		promregtest.Clash(t, name, "gantry/middleware/breaker", func(reg prometheus.Registerer) error {
			_, err := breaker.NewMetrics(reg)
			return err
		})
	}
}
