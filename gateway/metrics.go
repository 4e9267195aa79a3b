package gateway

import (
	"strconv"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gantrykit/gantry/telemetry/promreg"
)

// metrics are the gateway's Prometheus collectors. Labels are bounded:
// route names and service names from the config, status codes, outcomes.
type metrics struct {
	requests *prometheus.CounterVec   // route, code
	duration *prometheus.HistogramVec // route
	inflight *prometheus.GaugeVec     // route
	attempts *prometheus.CounterVec   // route, upstream, outcome
	latency  *prometheus.HistogramVec // upstream
	retries  *prometheus.CounterVec   // route, upstream
	open     *prometheus.GaugeVec     // upstream
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gateway_requests_total", Help: "Requests answered by the gateway, by route and status code.",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "gateway_request_duration_seconds", Help: "Time from request to response headers and body, by route.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route"}),
		inflight: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "gateway_requests_in_flight", Help: "Requests being served, by route.",
		}, []string{"route"}),
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gateway_upstream_attempts_total", Help: "Upstream attempts by route, upstream service and outcome (ok, error, status_5xx, breaker_open, timeout).",
		}, []string{"route", "upstream", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "gateway_upstream_response_seconds", Help: "Time to upstream response headers, by upstream service.",
			Buckets: prometheus.DefBuckets,
		}, []string{"upstream"}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gateway_retries_total", Help: "Retries on another instance, by route and upstream service.",
		}, []string{"route", "upstream"}),
		open: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "gateway_upstream_breakers_open", Help: "Upstream instances whose breaker is open (ejected), by service.",
		}, []string{"upstream"}),
	}
	if reg == nil {
		return m, nil
	}
	var err error
	register(reg, &m.requests, &err)
	register(reg, &m.duration, &err)
	register(reg, &m.inflight, &err)
	register(reg, &m.attempts, &err)
	register(reg, &m.latency, &err)
	register(reg, &m.retries, &err)
	register(reg, &m.open, &err)
	if err != nil {
		return nil, err
	}
	return m, nil
}

// register puts *c on reg, or the gateway's collector already there,
// unless an earlier step failed. A name another package holds is a
// *promreg.ClashError naming the metric and both owners.
func register[C prometheus.Collector](reg prometheus.Registerer, c *C, err *error) {
	if *err == nil {
		*c, *err = promreg.Register(reg, "gantry/gateway", *c)
	}
}

// routeMetrics are one route's children, resolved once per table build so
// the request path does no label lookups.
type routeMetrics struct {
	duration prometheus.Observer
	inflight prometheus.Gauge
	ok       prometheus.Counter // attempts with outcome ok
	retries  prometheus.Counter
	vec      *metrics
	route    string
	upstream string

	codes sync.Map // int → prometheus.Counter
	ok200 prometheus.Counter
}

func (m *metrics) forRoute(route, upstream string) *routeMetrics {
	return &routeMetrics{
		duration: m.duration.WithLabelValues(route),
		inflight: m.inflight.WithLabelValues(route),
		ok:       m.attempts.WithLabelValues(route, upstream, "ok"),
		retries:  m.retries.WithLabelValues(route, upstream),
		vec:      m, route: route, upstream: upstream,
		ok200: m.requests.WithLabelValues(route, "200"),
	}
}

func (rm *routeMetrics) code(status int) prometheus.Counter {
	if status == 200 && rm.ok200 != nil {
		return rm.ok200
	}
	if c, ok := rm.codes.Load(status); ok {
		return c.(prometheus.Counter)
	}
	c := rm.vec.requests.WithLabelValues(rm.route, strconv.Itoa(status))
	rm.codes.Store(status, c)
	return c
}

func (rm *routeMetrics) attempt(outcome string) {
	if outcome == "ok" {
		rm.ok.Inc()
		return
	}
	rm.vec.attempts.WithLabelValues(rm.route, rm.upstream, outcome).Inc()
}

// upstreamMetrics are one upstream service's children.
type upstreamMetrics struct {
	latency prometheus.Observer
	open    prometheus.Gauge
}

func (m *metrics) forUpstream(name string) *upstreamMetrics {
	return &upstreamMetrics{latency: m.latency.WithLabelValues(name), open: m.open.WithLabelValues(name)}
}
