package retry

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gantrykit/gantry/telemetry/promreg/promregtest"
)

func newMetrics(t *testing.T, reg prometheus.Registerer) *Metrics {
	t.Helper()
	m, err := NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMetricsClash(t *testing.T) {
	for _, name := range []string{"retry_attempts_total", "retry_budget_exhausted_total"} {
		promregtest.Clash(t, name, owner, func(reg prometheus.Registerer) error {
			_, err := NewMetrics(reg)
			return err
		})
	}
}
