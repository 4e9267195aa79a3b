package shed

import (
	"context"
	"sync"
	"time"

	kitendpoint "github.com/go-kit/kit/endpoint"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/telemetry/promreg"
)

// Defaults of the options.
const (
	DefaultMaxInFlight  = 1000
	DefaultInitialLimit = 20
	DefaultMinLimit     = 1
	DefaultQueue        = 16
	DefaultQueueWait    = 10 * time.Millisecond
	DefaultRetryAfter   = time.Second
	DefaultTolerance    = 1.5
	DefaultWindow       = 100 * time.Millisecond
)

// Shedder makes load-shedding middleware for named operations. Each
// operation has its own limit, bulkhead and queue, created on the first For
// of its name and shared by later ones. It is safe for concurrent use.
type Shedder struct {
	cfg config

	mu  sync.Mutex
	ops map[string]*limiter
}

type config struct {
	maxInFlight  int
	initialLimit int
	minLimit     int
	adaptive     bool
	queue        int
	queueWait    time.Duration
	retryAfter   time.Duration
	tolerance    float64
	window       time.Duration
	limitGauge   *prometheus.GaugeVec
	service      string
}

// Option configures a Shedder.
type Option func(*config)

// WithMaxInFlight sets the hard bulkhead: calls of one operation in flight
// never exceed n, whatever the adaptive limit says (default 1000).
func WithMaxInFlight(n int) Option { return func(c *config) { c.maxInFlight = max(n, 1) } }

// WithAdaptive turns the adaptive limit on or off (default on). Off, only
// the bulkhead and the queue apply.
func WithAdaptive(on bool) Option { return func(c *config) { c.adaptive = on } }

// WithLimits sets the adaptive limit's starting and minimum values (default
// 20 and 1); it never exceeds the max in flight.
func WithLimits(initial, minimum int) Option {
	return func(c *config) { c.initialLimit, c.minLimit = max(initial, 1), max(minimum, 1) }
}

// WithQueue sets how many calls may wait for a slot of the bulkhead and for
// how long (default 16 calls, 10ms). A size of 0 rejects at once. Calls
// refused by the adaptive limit never wait: its headroom is its queue.
func WithQueue(size int, wait time.Duration) Option {
	return func(c *config) { c.queue, c.queueWait = max(size, 0), wait }
}

// WithRetryAfter sets the RetryAfter hint of rejections (default 1s).
func WithRetryAfter(d time.Duration) Option { return func(c *config) { c.retryAfter = d } }

// WithTolerance sets how much the recent latency may exceed the long-term
// one before the limit shrinks (default 1.5, at least 1).
func WithTolerance(f float64) Option { return func(c *config) { c.tolerance = max(f, 1) } }

// WithWindow sets the minimum length of a sampling window (default 100ms);
// the limit is recomputed once per window of at least 10 calls.
func WithWindow(d time.Duration) Option { return func(c *config) { c.window = d } }

// Metrics is the shed_concurrency_limit{service,method} gauge on one
// registry: each operation's current limit. Shedders of one service share
// one Metrics.
type Metrics struct {
	limit *prometheus.GaugeVec
}

// NewMetrics registers the gauge on reg. A second NewMetrics on the same
// registry gets the gauge of the first. It fails with a
// *promreg.ClashError naming the metric and both owners when another
// package holds the name on reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	g, err := promreg.Register(reg, "gantry/middleware/shed", prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "shed_concurrency_limit",
		Help: "Current adaptive concurrency limit by operation.",
	}, []string{"service", "method"}))
	if err != nil {
		return nil, err
	}
	return &Metrics{limit: g}, nil
}

// WithMetrics exports each operation's current limit on m, labelled with
// service. A nil m exports nothing.
func WithMetrics(m *Metrics, service string) Option {
	return func(c *config) {
		if m != nil {
			c.limitGauge, c.service = m.limit, service
		}
	}
}

// New returns a Shedder.
func New(opts ...Option) *Shedder {
	c := config{
		maxInFlight: DefaultMaxInFlight, initialLimit: DefaultInitialLimit, minLimit: DefaultMinLimit,
		adaptive: true, queue: DefaultQueue, queueWait: DefaultQueueWait, retryAfter: DefaultRetryAfter,
		tolerance: DefaultTolerance, window: DefaultWindow,
	}
	for _, o := range opts {
		o(&c)
	}
	return &Shedder{cfg: c, ops: make(map[string]*limiter)}
}

// For returns middleware that admits or rejects the calls of op.
func (s *Shedder) For(op string) kitendpoint.Middleware {
	s.mu.Lock()
	l, ok := s.ops[op]
	if !ok {
		l = newLimiter(s.cfg, op)
		s.ops[op] = l
	}
	s.mu.Unlock()
	return func(next kitendpoint.Endpoint) kitendpoint.Endpoint {
		return func(ctx context.Context, req any) (any, error) {
			if !l.tryAcquire() && (l.adaptiveBinding() || !l.wait(ctx)) {
				return nil, errs.Unavailable(l.cfg.retryAfter, "server overloaded, retry later")
			}
			if !l.cfg.adaptive {
				defer l.release()
				return next(ctx, req)
			}
			start := time.Since(l.base)
			inflight := l.inflight.Load()
			defer l.done(start, inflight)
			return next(ctx, req)
		}
	}
}

// Stats is a snapshot of one operation's shedding state.
type Stats struct {
	Limit    int // the smaller of the adaptive limit and the max in flight
	InFlight int // calls admitted and not yet done
	Waiting  int // calls in the queue
}

// Stats returns a snapshot of op's state; the zero Stats if For was never
// called for op.
func (s *Shedder) Stats(op string) Stats {
	s.mu.Lock()
	l := s.ops[op]
	s.mu.Unlock()
	if l == nil {
		return Stats{}
	}
	return Stats{Limit: int(l.limit.Load()), InFlight: int(l.inflight.Load()), Waiting: int(l.waiting.Load())}
}
