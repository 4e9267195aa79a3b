package promreg_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/gantrykit/gantry/telemetry/promreg"
)

func counter(help string, labels ...string) *prometheus.CounterVec {
	return prometheus.NewCounterVec(prometheus.CounterOpts{Name: "calls_total", Help: help}, labels)
}

func TestSameOwnerShares(t *testing.T) {
	reg := prometheus.NewRegistry()
	a, err := promreg.Register(reg, "gantry/a", counter("Calls.", "op"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := promreg.Register(reg, "gantry/a", counter("Calls.", "op"))
	if err != nil {
		t.Fatalf("second registration by the same owner: %v", err)
	}
	if a != b {
		t.Fatal("the second registration did not get the first collector")
	}
	b.WithLabelValues("x").Inc()
	a.WithLabelValues("x").Inc()
	if got := testutil.ToFloat64(a.WithLabelValues("x")); got != 2 {
		t.Fatalf("got %v, want 2: the series add up", got)
	}
}

func TestClashes(t *testing.T) {
	for _, c := range []struct {
		name   string
		first  func(prometheus.Registerer) error
		second func(prometheus.Registerer) error
		other  string
	}{
		{"another owner, same description", func(r prometheus.Registerer) error {
			_, err := promreg.Register(r, "gantry/a", counter("Calls.", "op"))
			return err
		}, second(counter("Calls.", "op")), "gantry/a"},
		{"the same owner, other labels", func(r prometheus.Registerer) error {
			_, err := promreg.Register(r, "gantry/b", counter("Calls.", "op"))
			return err
		}, second(counter("Calls.", "op", "code")), "gantry/b"},
		{"another owner, other help", func(r prometheus.Registerer) error {
			_, err := promreg.Register(r, "gantry/a", counter("Calls.", "op"))
			return err
		}, second(counter("Calls made.", "op")), "gantry/a"},
		{"the same owner, another type", func(r prometheus.Registerer) error {
			_, err := promreg.Register(r, "gantry/b", counter("Calls.", "op"))
			return err
		}, second(prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "calls_total", Help: "Calls."}, []string{"op"})), "gantry/b"},
		{"outside Gantry", func(r prometheus.Registerer) error {
			return r.Register(counter("Calls.", "op"))
		}, second(counter("Calls.", "op")), "outside Gantry"},
	} {
		t.Run(c.name, func(t *testing.T) {
			reg := prometheus.NewRegistry()
			if err := c.first(reg); err != nil {
				t.Fatal(err)
			}
			err := c.second(reg)
			var clash *promreg.ClashError
			if !errors.As(err, &clash) {
				t.Fatalf("got %v, want a *ClashError", err)
			}
			msg := err.Error()
			for _, want := range []string{"calls_total", "gantry/b", c.other} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not name %q", msg, want)
				}
			}
		})
	}
}

// second registers c, of its own type, for gantry/b.
func second[C prometheus.Collector](c C) func(prometheus.Registerer) error {
	return func(r prometheus.Registerer) error {
		_, err := promreg.Register(r, "gantry/b", c)
		return err
	}
}

// Owners are kept per registry: the same metric on two registries is no
// clash, and the book exports no series.
func TestRegistriesAreIndependent(t *testing.T) {
	r1, r2 := prometheus.NewRegistry(), prometheus.NewRegistry()
	c1, err := promreg.Register(r1, "gantry/a", counter("Calls.", "op"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := promreg.Register(r2, "gantry/b", counter("Calls.", "op")); err != nil {
		t.Fatalf("another registry: %v", err)
	}
	c1.WithLabelValues("x").Inc()
	families, err := r1.Gather()
	if err != nil {
		t.Fatal(err)
	}
	if len(families) != 1 || families[0].GetName() != "calls_total" {
		t.Fatalf("got %d families (%v), want calls_total alone", len(families), families)
	}
}

// A registerer that refuses for other reasons gets its own error back.
func TestOtherRefusal(t *testing.T) {
	reg := prometheus.NewRegistry()
	_, err := promreg.Register(reg, "gantry/a", invalid{})
	var clash *promreg.ClashError
	if err == nil || errors.As(err, &clash) {
		t.Fatalf("got %v, want the registry's own error", err)
	}
}

type invalid struct{}

func (invalid) Describe(ch chan<- *prometheus.Desc) {
	ch <- prometheus.NewInvalidDesc(errors.New("no good"))
}
func (invalid) Collect(chan<- prometheus.Metric) {}

func ExampleRegister() {
	reg := prometheus.NewRegistry()
	_, _ = promreg.Register(reg, "gantry/middleware/retry", prometheus.NewCounter(prometheus.CounterOpts{Name: "attempts_total", Help: "Retries."}))
	_, err := promreg.Register(reg, "gantry/events", prometheus.NewCounter(prometheus.CounterOpts{Name: "attempts_total", Help: "Redeliveries."}))
	var clash *promreg.ClashError
	if errors.As(err, &clash) {
		fmt.Println(clash.Metric, "of", clash.Owner, "is taken by", clash.Other)
	}
	// Output: attempts_total of gantry/events is taken by gantry/middleware/retry
}
