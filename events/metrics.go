package events

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// WithRegisterer records, in reg, how events end
// (events_handled_total{stream, consumer, outcome}: acked, retried,
// dead_lettered), how long handlers take
// (messaging_process_duration_seconds{stream, consumer}) and how long
// publishes take (messaging_client_operation_duration_seconds{operation,
// destination}). Several publishers and subscribers may share one registry.
// A Subscriber's series exist from Start on, at zero until something
// happens.
func WithRegisterer(reg prometheus.Registerer) Option {
	return func(o *options) { o.metrics = newMetrics(reg) }
}

type metrics struct {
	handled *prometheus.CounterVec
	process *prometheus.HistogramVec
	publish *prometheus.HistogramVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	return &metrics{
		handled: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "events_handled_total",
			Help: "Events answered by consumers, by stream, consumer and outcome (acked, retried, dead_lettered).",
		}, []string{"stream", "consumer", "outcome"})),
		process: register(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "messaging_process_duration_seconds",
			Help:    "Duration of event handlers, by stream and consumer.",
			Buckets: prometheus.DefBuckets,
		}, []string{"stream", "consumer"})),
		publish: register(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "messaging_client_operation_duration_seconds",
			Help:    "Duration of publishes until the stream's ack, by operation and destination subject.",
			Buckets: prometheus.DefBuckets,
		}, []string{"operation", "destination"})),
	}
}

// register registers c, or returns the collector already registered under
// the same name.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing
			}
		}
	}
	return c
}

// outcome indexes boundMetrics.handled: how an event was answered.
type outcome int

const (
	outcomeAcked outcome = iota
	outcomeRetried
	outcomeDeadLettered
)

// boundMetrics are one Subscriber's series, their labels bound once at
// Start rather than looked up per event.
type boundMetrics struct {
	handled [3]prometheus.Counter // by outcome
	process prometheus.Observer
}

func (m *metrics) bind(stream, consumer string) *boundMetrics {
	b := &boundMetrics{process: m.process.WithLabelValues(stream, consumer)}
	for o, name := range [...]string{outcomeAcked: "acked", outcomeRetried: "retried", outcomeDeadLettered: "dead_lettered"} {
		b.handled[o] = m.handled.WithLabelValues(stream, consumer, name)
	}
	return b
}
