package breaker

import (
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	kitendpoint "github.com/go-kit/kit/endpoint"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/telemetry/promreg"
)

// Defaults of the options.
const (
	DefaultWindow              = 10 * time.Second
	DefaultMinRequests         = 20
	DefaultFailureRatio        = 0.5
	DefaultConsecutiveFailures = 5
	DefaultOpenTimeout         = 10 * time.Second
	DefaultHalfOpenRequests    = 5
	DefaultK                   = 2.0
)

// Breaker makes breaking middleware for named operations. Each operation
// has its own breaker, created on the first For of its name and shared by
// later ones. It is safe for concurrent use; [Breaker.SetTrip] and
// [Breaker.SetOpenTimeout] change its thresholds while calls go through.
type Breaker struct {
	trip atomic.Pointer[trip]

	mu  sync.Mutex
	cfg config // openTimeout changes under mu
	ops map[string]*op
}

// op is one operation's breaker.
type op struct {
	mw      kitendpoint.Middleware
	classic *classic // nil for adaptive throttling
}

type config struct {
	window           time.Duration
	minRequests      uint32
	ratio            float64
	consecutive      uint32
	openTimeout      time.Duration
	halfOpenRequests uint32
	isFailure        func(error) bool
	adaptive         bool
	k                float64
	logger           *slog.Logger
	service          string
	state            *prometheus.GaugeVec
	transitions      *prometheus.CounterVec
}

// Option configures a Breaker.
type Option func(*config)

// WithWindow sets the rolling window over which calls are counted (default
// 10s, in ten buckets).
func WithWindow(d time.Duration) Option { return func(c *config) { c.window = d } }

// WithTrip sets when the classic breaker opens: when at least minRequests
// calls in the window failed at a ratio of at least ratio, or when
// consecutive calls failed in a row (defaults 20, 0.5, 5). Zero
// consecutive turns the consecutive rule off.
func WithTrip(minRequests uint32, ratio float64, consecutive uint32) Option {
	return func(c *config) { c.minRequests, c.ratio, c.consecutive = minRequests, ratio, consecutive }
}

// WithOpenTimeout sets how long the classic breaker stays open before it
// lets probes through (default 10s).
func WithOpenTimeout(d time.Duration) Option { return func(c *config) { c.openTimeout = d } }

// WithHalfOpenRequests sets how many probe calls the half-open classic
// breaker lets through; as many successes close it (default 5).
func WithHalfOpenRequests(n uint32) Option {
	return func(c *config) { c.halfOpenRequests = max(n, 1) }
}

// WithIsFailure sets which errors count as failures; nil errors never do.
// The default is [IsServerFault].
func WithIsFailure(f func(error) bool) Option { return func(c *config) { c.isFailure = f } }

// WithAdaptive switches to SRE adaptive throttling with multiplier k
// (default 2; a lower k rejects more eagerly). Trip, open-timeout and
// half-open options then do not apply.
func WithAdaptive(k float64) Option {
	return func(c *config) { c.adaptive, c.k = true, max(k, 1) }
}

// WithLogger logs every state change of a classic breaker at WARN (opening)
// or INFO.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// Metrics are the breaker collectors on one registry:
// breaker_state{service,method,state} and
// breaker_transitions_total{service,method,from,to}. Breakers of one
// service share one Metrics.
type Metrics struct {
	state       *prometheus.GaugeVec
	transitions *prometheus.CounterVec
}

// NewMetrics registers the breaker collectors on reg. A second NewMetrics
// on the same registry gets the collectors of the first. It fails with a
// *promreg.ClashError naming the metric and both owners when another
// package holds one of the names on reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	state, err := promreg.Register(reg, owner, prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "breaker_state",
		Help: "Circuit breaker state by operation: 1 for the current state (closed, half_open, open), else 0.",
	}, []string{"service", "method", "state"}))
	if err != nil {
		return nil, err
	}
	transitions, err := promreg.Register(reg, owner, prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "breaker_transitions_total",
		Help: "Circuit breaker state changes by operation.",
	}, []string{"service", "method", "from", "to"}))
	if err != nil {
		return nil, err
	}
	return &Metrics{state: state, transitions: transitions}, nil
}

// owner names this package to promreg: a clash on a registry names it.
const owner = "gantry/middleware/breaker"

// WithMetrics exports classic breakers' states on m, labelled with
// service. A nil m exports nothing.
func WithMetrics(m *Metrics, service string) Option {
	return func(c *config) {
		if m != nil {
			c.service, c.state, c.transitions = service, m.state, m.transitions
		}
	}
}

// IsServerFault is the default failure test: a non-nil error whose kind
// does not blame the caller.
func IsServerFault(err error) bool { return err != nil && !errs.KindOf(err).CallerFault() }

// New returns a Breaker.
func New(opts ...Option) *Breaker {
	c := config{
		window: DefaultWindow, minRequests: DefaultMinRequests, ratio: DefaultFailureRatio,
		consecutive: DefaultConsecutiveFailures, openTimeout: DefaultOpenTimeout,
		halfOpenRequests: DefaultHalfOpenRequests, isFailure: IsServerFault, k: DefaultK,
	}
	for _, o := range opts {
		o(&c)
	}
	b := &Breaker{cfg: c, ops: make(map[string]*op)}
	b.trip.Store(&trip{minRequests: c.minRequests, ratio: c.ratio, consecutive: c.consecutive})
	return b
}

// For returns middleware that breaks the calls of name.
func (b *Breaker) For(name string) kitendpoint.Middleware {
	b.mu.Lock()
	defer b.mu.Unlock()
	o, ok := b.ops[name]
	if !ok {
		o = &op{}
		if b.cfg.adaptive {
			o.mw = newThrottle(b.cfg).middleware
		} else {
			o.classic = newClassic(b.cfg, name, &b.trip)
			o.mw = o.classic.middleware
		}
		b.ops[name] = o
	}
	return o.mw
}

// SetTrip changes when classic breakers open, as [WithTrip] sets it, for
// every operation's breaker, existing and future, at once. A breaker
// keeps its counts and state: the new thresholds apply from the next
// failure. It is safe to call while calls go through; it has no effect
// on adaptive throttling.
func (b *Breaker) SetTrip(minRequests uint32, ratio float64, consecutive uint32) {
	b.trip.Store(&trip{minRequests: minRequests, ratio: ratio, consecutive: consecutive})
}

// SetOpenTimeout changes how long classic breakers stay open, as
// [WithOpenTimeout] sets it. gobreaker fixes the timeout when it makes a
// breaker, so every existing operation's breaker is replaced by a closed
// one with the new timeout, forgetting its counts; an open one closes
// (logged and counted as a transition to closed) and opens again if its
// dependency still fails. Breakers made later get the new timeout. Setting
// the timeout in force does nothing. It is safe to call while calls go
// through (a call in flight finishes on the breaker it started on); it
// has no effect on adaptive throttling.
func (b *Breaker) SetOpenTimeout(d time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if d == b.cfg.openTimeout {
		return
	}
	b.cfg.openTimeout = d
	for _, o := range b.ops {
		if o.classic != nil {
			o.classic.reset(d)
		}
	}
}

// unavailable is the error of a rejected call.
func unavailable(retryAfter time.Duration) error {
	return errs.Unavailable(retryAfter, "circuit breaker open, retry later")
}
