package kit

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gantrykit/gantry/telemetry/promreg"
)

// A metric-name clash on a registry given with WithRegistry surfaces when
// the middleware chain is first built (its collectors are registered on
// first use, so that an App that never asks registers none): Middleware
// returns nil, and Err and Run return the *promreg.ClashError naming the
// metric, before anything starts.
func TestMiddlewareChainClash(t *testing.T) {
	const name = "rpc_server_call_duration_seconds"
	reg := prometheus.NewRegistry()
	if _, err := promreg.Register(reg, "gantry/elsewhere", prometheus.NewCounter(prometheus.CounterOpts{
		Name: name, Help: "Another package's metric of the same name.",
	})); err != nil {
		t.Fatal(err)
	}
	a := newTestApp(t, nil, nil, WithRegistry(reg))
	if mw := a.Middleware("op"); mw != nil {
		t.Fatalf("Middleware on a clashing registry = %d layers, want nil", len(mw))
	}
	var clash *promreg.ClashError
	if err := a.Err(); !errors.As(err, &clash) || clash.Metric != name || clash.Other != "gantry/elsewhere" || !strings.Contains(err.Error(), name) {
		t.Fatalf("Err = %v, want a *promreg.ClashError naming %s and gantry/elsewhere", err, name)
	}
	if err := a.Run(context.Background()); !errors.As(err, &clash) {
		t.Fatalf("Run = %v, want the clash, before anything starts", err)
	}
}
