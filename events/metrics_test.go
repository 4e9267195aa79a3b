package events_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gantrykit/gantry/events"
	"github.com/gantrykit/gantry/telemetry/promreg/promregtest"
)

// sample returns the value of the counter, or the sample count of the
// histogram, named name whose labels include want.
func sample(t *testing.T, reg *prometheus.Registry, name string, want map[string]string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	next:
		for _, m := range mf.GetMetric() {
			got := map[string]string{}
			for _, l := range m.GetLabel() {
				got[l.GetName()] = l.GetValue()
			}
			for k, v := range want {
				if got[k] != v {
					continue next
				}
			}
			if h := m.GetHistogram(); h != nil {
				return float64(h.GetSampleCount())
			}
			return m.GetCounter().GetValue()
		}
	}
	return 0
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	reg := prometheus.NewRegistry()
	var calls atomic.Int32
	start(t, e.js, events.Consumer{Stream: "ORDERS", Durable: "m", MaxDeliver: 3, Backoff: []time.Duration{time.Millisecond}, FetchWait: 100 * time.Millisecond},
		func(_ context.Context, ev events.Event[orderCreated]) error {
			calls.Add(1)
			if ev.Data.Order == 1 && ev.Delivery == 1 {
				return errors.New("once")
			}
			if ev.Data.Order == 2 {
				return events.Permanent(errors.New("never"))
			}
			return nil
		}, events.WithMetrics(newMetrics(t, reg)))
	pub := events.NewPublisher[orderCreated](e.js, "orders.created", events.WithMetrics(newMetrics(t, reg)))
	for i := range 3 {
		if _, err := pub.Publish(context.Background(), string(rune('a'+i)), orderCreated{Order: i}); err != nil {
			t.Fatal(err)
		}
	}
	labels := func(outcome string) map[string]string {
		return map[string]string{"stream": "ORDERS", "consumer": "m", "outcome": outcome}
	}
	waitFor(t, "every event answered", func() bool {
		return sample(t, reg, "events_handled_total", labels("acked")) == 2 &&
			sample(t, reg, "events_handled_total", labels("dead_lettered")) == 1
	})
	if got := sample(t, reg, "events_handled_total", labels("retried")); got != 1 {
		t.Errorf("retried = %v, want 1", got)
	}
	if got := sample(t, reg, "messaging_process_duration_seconds", map[string]string{"consumer": "m"}); got != float64(calls.Load()) {
		t.Errorf("process duration samples = %v, want %d (one per handler call)", got, calls.Load())
	}
	if got := sample(t, reg, "messaging_client_operation_duration_seconds", map[string]string{"destination": "orders.created"}); got != 3 {
		t.Errorf("publish duration samples = %v, want 3", got)
	}
}

func newMetrics(t *testing.T, reg prometheus.Registerer) *events.Metrics {
	t.Helper()
	m, err := events.NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMetricsClash(t *testing.T) {
	for _, name := range []string{"events_handled_total", "messaging_process_duration_seconds", "messaging_client_operation_duration_seconds"} {
		promregtest.Clash(t, name, "gantry/events", func(reg prometheus.Registerer) error {
			_, err := events.NewMetrics(reg)
			return err
		})
	}
}
