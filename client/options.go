package client

import (
	"github.com/gantrykit/gantry/discovery/lb"
	"github.com/gantrykit/gantry/middleware/breaker"
	"github.com/gantrykit/gantry/retrybudget"
	httpt "github.com/gantrykit/gantry/transport/http"
)

// Option configures a client.
type Option func(*config)

type config struct {
	policy     lb.Policy
	lbOpts     lb.Options
	breaker    *breaker.Breaker
	noBreaker  bool
	attempts   int
	budget     *retrybudget.Budget
	idempotent *bool
	http       []httpt.ClientOption
}

// WithBalancer sets the balancing policy (default lb.P2C()).
func WithBalancer(p lb.Policy) Option { return func(c *config) { c.policy = p } }

// WithBalancerOptions tunes the balancer (latency decay, failure penalty,
// ejection). A PerInstance middleware in o wraps each instance's endpoint
// outside its breaker.
func WithBalancerOptions(o lb.Options) Option { return func(c *config) { c.lbOpts = o } }

// WithBreaker sets the Breaker whose For(instance address) guards each
// instance (default: breaker.New() of this client alone). Share one
// Breaker among clients to share each instance's breaker; pass one built
// with breaker.WithMetrics to export their states. nil turns breakers off.
func WithBreaker(b *breaker.Breaker) Option {
	return func(c *config) { c.breaker, c.noBreaker = b, b == nil }
}

// WithRetry sets the most attempts per call, the first included (default
// 3; 1 turns retries off), and the budget they draw on (nil: a
// retrybudget.New(0.2, 10) of this client alone). Share one budget among
// the clients of one service to budget the service as a whole.
func WithRetry(attempts int, budget *retrybudget.Budget) Option {
	return func(c *config) { c.attempts, c.budget = max(attempts, 1), budget }
}

// WithIdempotent says whether a call may run twice without harm, which
// lets any retryable failure be retried. The default follows the method:
// GET, HEAD, OPTIONS, PUT and DELETE are idempotent (RFC 9110), POST and
// PATCH are not. Mark a POST idempotent when it carries an idempotency key.
func WithIdempotent(v bool) Option { return func(c *config) { c.idempotent = &v } }

// WithHTTP passes options to the transport/http client behind every
// instance, e.g. httpt.WithHTTPClient with mTLS settings or ClientBefore
// to set headers.
func WithHTTP(opts ...httpt.ClientOption) Option {
	return func(c *config) { c.http = append(c.http, opts...) }
}
