package gateway_test

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gantrykit/gantry/gateway"
	"github.com/gantrykit/gantry/telemetry/promreg/promregtest"
)

func TestMetricsClash(t *testing.T) {
	cfg, err := gateway.ParseConfig([]byte(`
services: {s: {urls: ["http://127.0.0.1:1"]}}
routes: [{name: r, prefix: /, service: s}]
`))
	if err != nil {
		t.Fatal(err)
	}
	promregtest.Clash(t, "gateway_retries_total", "gantry/gateway", func(reg prometheus.Registerer) error {
		g, err := gateway.New(cfg, gateway.WithRegisterer(reg))
		if err == nil {
			g.Close()
		}
		return err
	})
}
