package metrics

import (
	"context"
	"sort"
	"sync/atomic"
	"time"

	kitendpoint "github.com/go-kit/kit/endpoint"
	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/trace"

	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/telemetry/promreg"
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

// New registers the metrics on reg and returns Metrics. Metrics made by
// several New calls on one registry share their collectors. It fails with
// a *promreg.ClashError naming the metric and both owners when another
// package, or this one with other labels, holds one of the names on reg. A nil reg records
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
	if m.duration, err = promreg.Register(reg, owner, m.duration); err != nil {
		return nil, err
	}
	if m.active, err = promreg.Register(reg, owner, m.active); err != nil {
		return nil, err
	}
	return m, nil
}

// owner names this package to promreg: a clash on a registry names it.
const owner = "gantry/middleware/metrics"

// numCodes bounds the kinds the table knows plus one for "ok"; kinds beyond
// the table are reported as internal.
const numCodes = int(errs.KindCanceled) + 2

// observers holds one operation's duration children by code: "ok" bound in
// For, each error code bound on its first use, so that /metrics shows only
// the codes that occurred while calls do no map lookups.
type observers struct {
	vec         *prometheus.HistogramVec
	service, op string
	buckets     []float64
	byCode      [numCodes]atomic.Pointer[child]
}

// child is one label child and, per bucket, when it last took an
// exemplar (on the middleware's monotonic clock).
type child struct {
	obs  prometheus.Observer
	last []atomic.Int64
}

func (o *observers) get(i int) *child {
	if p := o.byCode[i].Load(); p != nil {
		return p
	}
	code := "ok"
	if i > 0 {
		code = errs.Kind(i - 1).String()
	}
	c := &child{obs: o.vec.WithLabelValues(o.service, o.op, code), last: make([]atomic.Int64, len(o.buckets)+1)}
	if !o.byCode[i].CompareAndSwap(nil, c) {
		return o.byCode[i].Load()
	}
	return c
}

// For returns middleware that records every call of op. Its label
// children are bound here, or on first use for error codes.
func (m *Metrics) For(op string) kitendpoint.Middleware {
	obs := &observers{vec: m.duration, service: m.service, op: op, buckets: m.buckets}
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
			end := time.Since(base)
			obs.get(i).observe(ctx, obs.buckets, end, (end - start).Seconds())
			return resp, err
		}
	}
}

// ExemplarEvery bounds how often one label child's bucket takes a new
// exemplar: a histogram keeps one per bucket, a scrape reads it every few
// seconds, and recording one costs about ten allocations.
const ExemplarEvery = time.Second

// observe records v, with the trace ID of ctx's span as an exemplar when
// the span is sampled and v's bucket took none within ExemplarEvery:
// Prometheus shows exemplars to scrapers that ask for OpenMetrics, and
// Grafana links from the latency panel to the trace.
func (c *child) observe(ctx context.Context, buckets []float64, now time.Duration, v float64) {
	if sc := trace.SpanContextFromContext(ctx); sc.IsSampled() {
		last := &c.last[sort.SearchFloat64s(buckets, v)]
		if prev := last.Load(); (prev == 0 || time.Duration(int64(now)-prev) >= ExemplarEvery) && last.CompareAndSwap(prev, int64(now)) {
			if eo, ok := c.obs.(prometheus.ExemplarObserver); ok {
				eo.ObserveWithExemplar(v, prometheus.Labels{ExemplarTraceID: sc.TraceID().String()})
				return
			}
		}
	}
	c.obs.Observe(v)
}

// ExemplarTraceID is the exemplar label holding the trace ID, the name
// Grafana and the OpenTelemetry Prometheus exporter use.
const ExemplarTraceID = "trace_id"
