package retry

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"

	kitendpoint "github.com/go-kit/kit/endpoint"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/retrybudget"
	"github.com/gantrykit/gantry/telemetry/promreg"
)

// Defaults of the options.
const (
	DefaultMaxAttempts = 3
	DefaultBase        = 50 * time.Millisecond
	DefaultMax         = time.Second
)

// Retrier makes retrying middleware for named operations. Each operation
// has its own retry budget, created on the first For of its name and shared
// by later ones. It is safe for concurrent use.
type Retrier struct {
	maxAttempts int
	base, max   time.Duration
	ratio       float64
	perSec      float64
	retryable   func(error) bool
	idempotent  map[string]bool
	service     string
	attempts    *prometheus.CounterVec
	exhausted   *prometheus.CounterVec
	sleep       func(ctx context.Context, d time.Duration) bool
	jitter      func(ceiling time.Duration) time.Duration // uniform in [0, ceiling)
	mu          sync.Mutex
	budgets     map[string]*retrybudget.Budget
}

// Option configures a Retrier.
type Option func(*Retrier)

// WithMaxAttempts sets the number of attempts including the first (default
// 3); 1 turns retries off.
func WithMaxAttempts(n int) Option { return func(r *Retrier) { r.maxAttempts = max(n, 1) } }

// WithBackoff sets the base and the cap of the exponential backoff
// (defaults 50ms and 1s).
func WithBackoff(base, maxDelay time.Duration) Option {
	return func(r *Retrier) { r.base, r.max = max(base, 0), max(maxDelay, base, 0) }
}

// WithBudget sets the retry budget: over a rolling 10s window, retries may
// not exceed ratio × calls + perSecond × 10 (defaults 0.2 and 10).
func WithBudget(ratio, perSecond float64) Option {
	return func(r *Retrier) { r.ratio, r.perSec = max(ratio, 0), max(perSecond, 0) }
}

// WithRetryable sets which errors may be retried; the default is
// errs.KindOf(err).Retryable().
func WithRetryable(f func(error) bool) Option { return func(r *Retrier) { r.retryable = f } }

// WithIdempotent marks operations as safe to retry.
func WithIdempotent(ops ...string) Option {
	return func(r *Retrier) {
		for _, op := range ops {
			r.idempotent[op] = true
		}
	}
}

// Metrics are the retry collectors on one registry: retry_attempts_total
// and retry_budget_exhausted_total, by service and method (see the package
// doc). Retriers of one service share one Metrics.
type Metrics struct {
	attempts, exhausted *prometheus.CounterVec
}

// NewMetrics registers the retry collectors on reg. A second NewMetrics on
// the same registry gets the collectors of the first. It fails with a
// *promreg.ClashError naming the metric and both owners when another
// package holds one of the names on reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	attempts, err := promreg.Register(reg, owner, prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "retry_attempts_total", Help: "Retries made (attempts after the first) by operation.",
	}, []string{"service", "method"}))
	if err != nil {
		return nil, err
	}
	exhausted, err := promreg.Register(reg, owner, prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "retry_budget_exhausted_total", Help: "Retries refused because the retry budget was spent, by operation.",
	}, []string{"service", "method"}))
	if err != nil {
		return nil, err
	}
	return &Metrics{attempts: attempts, exhausted: exhausted}, nil
}

// owner names this package to promreg: a clash on a registry names it.
const owner = "gantry/middleware/retry"

// WithMetrics counts retries and refused retries in m, labelled with
// service. A nil m counts nothing.
func WithMetrics(m *Metrics, service string) Option {
	return func(r *Retrier) {
		if m != nil {
			r.service, r.attempts, r.exhausted = service, m.attempts, m.exhausted
		}
	}
}

type idempotentKey struct{}

// MarkIdempotent returns a context whose calls may be retried whatever
// their operation, e.g. because the request carries an idempotency key.
func MarkIdempotent(ctx context.Context) context.Context {
	return context.WithValue(ctx, idempotentKey{}, true)
}

// IsIdempotent reports whether ctx was marked with [MarkIdempotent].
func IsIdempotent(ctx context.Context) bool {
	v, _ := ctx.Value(idempotentKey{}).(bool)
	return v
}

// New returns a Retrier.
func New(opts ...Option) *Retrier {
	r := &Retrier{
		maxAttempts: DefaultMaxAttempts, base: DefaultBase, max: DefaultMax,
		ratio: retrybudget.DefaultRatio, perSec: retrybudget.DefaultPerSec,
		retryable:  func(err error) bool { return errs.KindOf(err).Retryable() },
		idempotent: map[string]bool{}, sleep: sleep, jitter: rand.N[time.Duration], budgets: map[string]*retrybudget.Budget{},
	}
	for _, o := range opts {
		o(r)
	}
	return r
}

// For returns middleware that retries the calls of op.
func (r *Retrier) For(op string) kitendpoint.Middleware {
	r.mu.Lock()
	b, ok := r.budgets[op]
	if !ok {
		b = retrybudget.New(r.ratio, r.perSec)
		r.budgets[op] = b
	}
	r.mu.Unlock()
	var attempts, exhausted prometheus.Counter
	if r.attempts != nil {
		attempts = r.attempts.WithLabelValues(r.service, op)
		exhausted = r.exhausted.WithLabelValues(r.service, op)
	}
	idempotent := r.idempotent[op]
	return func(next kitendpoint.Endpoint) kitendpoint.Endpoint {
		return func(ctx context.Context, req any) (any, error) {
			b.Request()
			resp, err := next(ctx, req)
			for attempt := 1; attempt < r.maxAttempts; attempt++ {
				if err == nil || !r.retryable(err) || !(idempotent || IsIdempotent(ctx)) {
					break
				}
				delay := r.backoff(attempt)
				if hint := errs.RetryAfterOf(err); hint > r.max {
					break // the server asks for longer than we would wait: give up now
				} else if hint > delay {
					delay = hint
				}
				if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= delay {
					break
				}
				if !b.Retry() {
					if exhausted != nil {
						exhausted.Inc()
					}
					break
				}
				if !r.sleep(ctx, delay) {
					break
				}
				if attempts != nil {
					attempts.Inc()
				}
				resp, err = next(ctx, req)
			}
			return resp, err
		}
	}
}

// backoff is the full-jitter delay before retry number n (1-based).
func (r *Retrier) backoff(n int) time.Duration {
	ceiling := r.max
	if n < 62 && r.base < r.max>>min(n-1, 62) {
		ceiling = r.base << (n - 1)
	}
	if ceiling <= 0 {
		return 0
	}
	return r.jitter(ceiling)
}

// sleep waits d or until ctx is done; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
