package shed_test

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gantrykit/gantry/middleware/shed"
	"github.com/gantrykit/gantry/telemetry/promreg/promregtest"
)

func TestMetricsClash(t *testing.T) {
	promregtest.Clash(t, "shed_concurrency_limit", "gantry/middleware/shed", func(reg prometheus.Registerer) error {
		_, err := shed.NewMetrics(reg)
		return err
	})
}
