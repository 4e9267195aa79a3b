package metrics

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	kitendpoint "github.com/go-kit/kit/endpoint"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/gantrykit/gantry/errs"
)

// DefaultBuckets are the histogram buckets in seconds that the OpenTelemetry
// semantic conventions recommend for request durations.
var DefaultBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}

// Metrics makes RED middleware for named operations. It is safe for
// concurrent use.
type Metrics struct {
	service  string
	side     string
	buckets  []float64
	duration *prometheus.HistogramVec
	active   *prometheus.GaugeVec
}

// Option configures Metrics.
type Option func(*Metrics)

// WithService sets the value of the service label.
func WithService(name string) Option { return func(m *Metrics) { m.service = name } }

// WithClient names the metrics rpc_client_* instead of rpc_server_*, for
// middleware on client endpoints.
func WithClient() Option { return func(m *Metrics) { m.side = "client" } }

// WithBuckets sets the duration histogram's buckets, in seconds.
func WithBuckets(b []float64) Option { return func(m *Metrics) { m.buckets = b } }

// New registers the metrics on reg and returns Metrics. It fails only when
// reg holds a different collector under the same names. A nil reg records
// into collectors that are not exported, which is useful in tests only.
func New(reg prometheus.Registerer, opts ...Option) (*Metrics, error) {
	m := &Metrics{side: "server", buckets: DefaultBuckets}
	for _, o := range opts {
		o(m)
	}
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "rpc_" + m.side + "_call_duration_seconds",
		Help:    "Duration of " + m.side + " calls by operation and outcome code (ok or the error kind).",
		Buckets: m.buckets,
	}, []string{"service", "method", "code"})
	m.active = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "rpc_" + m.side + "_active_requests",
		Help: "Number of " + m.side + " calls in flight by operation.",
	}, []string{"service", "method"})
	if reg == nil {
		return m, nil
	}
	var err error
	if m.duration, err = register(reg, m.duration); err != nil {
		return nil, err
	}
	if m.active, err = register(reg, m.active); err != nil {
		return nil, err
	}
	return m, nil
}

// register registers c on reg, or returns the identical collector that is
// already there.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) (C, error) {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing, nil
			}
		}
		return c, err
	}
	return c, nil
}

// numCodes bounds the kinds the table knows plus one for "ok"; kinds beyond
// the table are reported as internal.
const numCodes = int(errs.KindCanceled) + 2

// observers holds one operation's duration children by code: "ok" bound in
// For, each error code bound on its first use, so that /metrics shows only
// the codes that occurred while calls do no map lookups.
type observers struct {
	vec         *prometheus.HistogramVec
	service, op string
	byCode      [numCodes]atomic.Pointer[prometheus.Observer]
}

func (o *observers) get(i int) prometheus.Observer {
	if p := o.byCode[i].Load(); p != nil {
		return *p
	}
	code := "ok"
	if i > 0 {
		code = errs.Kind(i - 1).String()
	}
	obs := o.vec.WithLabelValues(o.service, o.op, code)
	o.byCode[i].Store(&obs) // racing stores hold the same child
	return obs
}

// For returns middleware that records every call of op. Its label
// children are bound here, or on first use for error codes.
func (m *Metrics) For(op string) kitendpoint.Middleware {
	obs := &observers{vec: m.duration, service: m.service, op: op}
	obs.get(0)
	active := m.active.WithLabelValues(m.service, op)
	// Durations are read off the monotonic clock against a fixed base:
	// time.Since costs about half of time.Now, which also reads the wall
	// clock.
	base := time.Now()
	return func(next kitendpoint.Endpoint) kitendpoint.Endpoint {
		return func(ctx context.Context, req any) (any, error) {
			start := time.Since(base)
			active.Inc()
			defer active.Dec() // a panic unwinding through here leaves the gauge right
			resp, err := next(ctx, req)
			i := 0
			if err != nil {
				i = int(errs.KindOf(err)) + 1
				if i >= numCodes {
					i = 1
				}
			}
			obs.get(i).Observe((time.Since(base) - start).Seconds())
			return resp, err
		}
	}
}
