package events

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/gantrykit/gantry/telemetry/promreg"
)

// Metrics are the events collectors on one registry: how events end
// (events_handled_total{stream, consumer, outcome}: acked, retried,
// dead_lettered), how long handlers take
// (messaging_process_duration_seconds{stream, consumer}) and how long
// publishes take (messaging_client_operation_duration_seconds{operation,
// destination}). Publishers and subscribers of one service share one
// Metrics; a Subscriber's series exist from Start on, at zero until
// something happens.
type Metrics struct {
	handled *prometheus.CounterVec
	process *prometheus.HistogramVec
	publish *prometheus.HistogramVec
}

// NewMetrics registers the events collectors on reg. A second NewMetrics
// on the same registry gets the collectors of the first. It fails with a
// *promreg.ClashError naming the metric and both owners when another
// package holds one of the names on reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		handled: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "events_handled_total",
			Help: "Events answered by consumers, by stream, consumer and outcome (acked, retried, dead_lettered).",
		}, []string{"stream", "consumer", "outcome"}),
		process: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "messaging_process_duration_seconds",
			Help:    "Duration of event handlers, by stream and consumer.",
			Buckets: prometheus.DefBuckets,
		}, []string{"stream", "consumer"}),
		publish: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "messaging_client_operation_duration_seconds",
			Help:    "Duration of publishes until the stream's ack, by operation and destination subject.",
			Buckets: prometheus.DefBuckets,
		}, []string{"operation", "destination"}),
	}
	var err error
	if m.handled, err = promreg.Register(reg, owner, m.handled); err != nil {
		return nil, err
	}
	if m.process, err = promreg.Register(reg, owner, m.process); err != nil {
		return nil, err
	}
	if m.publish, err = promreg.Register(reg, owner, m.publish); err != nil {
		return nil, err
	}
	return m, nil
}

// owner names this package to promreg: a clash on a registry names it.
const owner = "gantry/events"

// WithMetrics records outcomes and durations in m (see [Metrics]). A nil
// m records nothing.
func WithMetrics(m *Metrics) Option {
	return func(o *options) { o.metrics = m }
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

func (m *Metrics) bind(stream, consumer string) *boundMetrics {
	b := &boundMetrics{process: m.process.WithLabelValues(stream, consumer)}
	for o, name := range [...]string{outcomeAcked: "acked", outcomeRetried: "retried", outcomeDeadLettered: "dead_lettered"} {
		b.handled[o] = m.handled.WithLabelValues(stream, consumer, name)
	}
	return b
}
