package gateway

import (
	"context"

	"github.com/go-kit/kit/endpoint"

	"github.com/gantrykit/gantry/middleware/ratelimit"
)

// newRouteLimiter returns the route's rate limit as an endpoint that takes
// the client key (IP or JWT subject) as its request and fails with a
// TooManyRequests error, RetryAfter set, when the key's bucket is empty.
// Buckets are middleware/ratelimit's: one per key, bounded in number, idle
// keys dropped. It returns nil for an unlimited route.
func newRouteLimiter(route string, c RateLimitConfig) endpoint.Endpoint {
	if c.RPS <= 0 {
		return nil
	}
	burst := c.Burst
	if burst == 0 {
		burst = max(1, int(c.RPS))
	}
	key := func(_ context.Context, req any) string { s, _ := req.(string); return s }
	allow := func(context.Context, any) (any, error) { return nil, nil }
	return ratelimit.New(c.RPS, burst, ratelimit.WithKey(key)).For(route)(allow)
}
