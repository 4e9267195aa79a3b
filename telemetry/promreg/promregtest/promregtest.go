// Package promregtest checks a package's answer to a metric-name clash:
// the one promreg gives, the same everywhere.
package promregtest

import (
	"errors"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gantrykit/gantry/telemetry/promreg"
)

// Clash checks construct, a constructor that registers its collectors on
// the registry it is given: twice on one registry it succeeds (the second
// shares the first's collectors); on a registry where another package
// already holds name it fails with a *promreg.ClashError naming name,
// owner and the other package.
func Clash(t testing.TB, name, owner string, construct func(prometheus.Registerer) error) {
	t.Helper()
	reg := prometheus.NewRegistry()
	for i := range 2 {
		if err := construct(reg); err != nil {
			t.Fatalf("construction %d on one registry: %v", i+1, err)
		}
	}
	reg = prometheus.NewRegistry()
	if _, err := promreg.Register(reg, "gantry/elsewhere", prometheus.NewCounter(prometheus.CounterOpts{
		Name: name, Help: "Another package's metric of the same name.",
	})); err != nil {
		t.Fatal(err)
	}
	err := construct(reg)
	var clash *promreg.ClashError
	if !errors.As(err, &clash) || clash.Metric != name || clash.Owner != owner || clash.Other != "gantry/elsewhere" {
		t.Fatalf("%s taken by another package: got %v, want a *promreg.ClashError naming it, %s and gantry/elsewhere", name, err, owner)
	}
	if !strings.Contains(err.Error(), name) {
		t.Fatalf("error %q does not name %s", err, name)
	}
}
