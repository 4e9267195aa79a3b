package middleware

import (
	"fmt"
	"sync"

	kitendpoint "github.com/go-kit/kit/endpoint"
	"go.opentelemetry.io/otel/trace"

	"github.com/gantrykit/gantry/middleware/breaker"
	"github.com/gantrykit/gantry/middleware/metrics"
	"github.com/gantrykit/gantry/middleware/retry"
	"github.com/gantrykit/gantry/middleware/timeout"
	"github.com/gantrykit/gantry/retrybudget"
)

// Client builds the default client chain of one App: tracing, metrics,
// logging, retry, breaker, timeout. Retries sit outside the breaker and
// the timeout, so each attempt is broken and timed on its own, and metrics
// and logs see one logical call. It is safe for concurrent use.
//
// Name client operations after the remote operation, e.g.
// "products.get", so that their breaker series differ from the server's.
// A breaker per discovered instance belongs to the balancer, not here.
// Update changes its breaker thresholds while it runs.
type Client struct {
	layers  []Layer
	breaker *breaker.Breaker // nil when off
	// logical is the tracing layer of ForTracedAttempts (nil when off).
	logical func(op string) kitendpoint.Middleware

	mu  sync.Mutex
	cfg ClientConfig // running
}

// NewClient builds the client chain that cfg switches on. It fails with a
// *promreg.ClashError if another package holds one of the chain's metric
// names on the Registerer.
func NewClient(cfg ClientConfig, deps Deps) (*Client, error) {
	c := &Client{cfg: cfg}
	add := func(name string, f func(string) kitendpoint.Middleware) {
		c.layers = append(c.layers, Layer{Name: name, For: f})
	}
	if !cfg.Tracing.Disabled && deps.TracerProvider != nil {
		add("tracing", newTracer(deps, trace.SpanKindClient).For)
		c.logical = newTracer(deps, trace.SpanKindInternal).For
	}
	if !cfg.Metrics.Disabled && deps.Registerer != nil {
		m, err := metrics.New(deps.Registerer, metrics.WithService(deps.Service), metrics.WithClient())
		if err != nil {
			return nil, fmt.Errorf("middleware: client metrics: %w", err)
		}
		add("metrics", m.For)
	}
	if !cfg.Logging.Disabled && deps.Logger != nil {
		add("logging", newLogger(cfg.Logging, deps).For)
	}
	if r := cfg.Retry; !r.Disabled {
		opts := []retry.Option{
			retry.WithMaxAttempts(or(r.MaxAttempts, retry.DefaultMaxAttempts)),
			retry.WithBackoff(or(r.BaseDelay, retry.DefaultBase), or(r.MaxDelay, retry.DefaultMax)),
			retry.WithBudget(or(r.BudgetRatio, retrybudget.DefaultRatio), or(r.BudgetPerSecond, retrybudget.DefaultPerSec)),
			retry.WithIdempotent(r.Idempotent...),
		}
		if deps.Registerer != nil {
			m, err := retry.NewMetrics(deps.Registerer)
			if err != nil {
				return nil, fmt.Errorf("middleware: retry metrics: %w", err)
			}
			opts = append(opts, retry.WithMetrics(m, deps.Service))
		}
		add("retry", retry.New(opts...).For)
	}
	if !cfg.Breaker.Disabled {
		b, err := newBreaker(cfg.Breaker, deps)
		if err != nil {
			return nil, err
		}
		c.breaker = b
		add("breaker", c.breaker.For)
	}
	if cfg.Timeout.Timeout > 0 {
		add("timeout", timeout.New(cfg.Timeout.Timeout).For)
	}
	return c, nil
}

// For returns the client chain for operation op, outermost first, as a new
// slice the caller owns and may edit.
func (c *Client) For(op string) []kitendpoint.Middleware {
	mws := make([]kitendpoint.Middleware, len(c.layers))
	for i, l := range c.layers {
		mws[i] = l.For(op)
	}
	return mws
}

// ForTracedAttempts returns the client chain for operation op over a
// transport that starts a client span of its own for each attempt
// (client/grpcclient does, through otelgrpc): the tracing layer's span,
// the logical call around the transport's retries, is INTERNAL wherever it
// starts, so that every attempt is one client span and the call adds no
// other. That is the shape OpenTelemetry's semantic conventions give a
// resent request: a client span per attempt, and no logical client span
// encompassing them (HTTP client spans, "HTTP request retries and
// redirects"; RPC has no rule of its own and otelgrpc does the same).
func (c *Client) ForTracedAttempts(op string) []kitendpoint.Middleware {
	mws := c.For(op)
	for i, l := range c.layers {
		if l.Name == "tracing" {
			mws[i] = c.logical(op)
		}
	}
	return mws
}

// Layers returns the chain's layers in the order For applies them. The
// slice is a copy.
func (c *Client) Layers() []Layer { return append([]Layer(nil), c.layers...) }

func newBreaker(c BreakerConfig, deps Deps) (*breaker.Breaker, error) {
	minRequests, ratio, consecutive, open := tripOf(c)
	opts := []breaker.Option{
		breaker.WithWindow(or(c.Window, breaker.DefaultWindow)),
		breaker.WithTrip(minRequests, ratio, consecutive),
		breaker.WithOpenTimeout(open),
		breaker.WithHalfOpenRequests(uint32(max(or(c.HalfOpenRequests, breaker.DefaultHalfOpenRequests), 1))),
	}
	if c.Adaptive {
		opts = append(opts, breaker.WithAdaptive(or(c.K, breaker.DefaultK)))
	}
	if deps.Logger != nil {
		opts = append(opts, breaker.WithLogger(deps.Logger))
	}
	if deps.Registerer != nil {
		m, err := breaker.NewMetrics(deps.Registerer)
		if err != nil {
			return nil, fmt.Errorf("middleware: breaker metrics: %w", err)
		}
		opts = append(opts, breaker.WithMetrics(m, deps.Service))
	}
	return breaker.New(opts...), nil
}
