package ratelimit

import (
	"context"
	"math"
	"sync"
	"time"

	kitendpoint "github.com/go-kit/kit/endpoint"
	"golang.org/x/time/rate"

	"github.com/gantrykit/gantry/kit/errs"
)

// Defaults of the keyed store.
const (
	DefaultMaxKeys = 10000
	DefaultIdle    = 10 * time.Minute
)

// KeyFunc returns the key whose bucket a call draws from. Calls with the
// same key share a bucket; the empty string is a key like any other.
type KeyFunc func(ctx context.Context, req any) string

// Limiter makes rate-limiting middleware for named operations. Each
// operation has its own bucket (or set of keyed buckets), created on the
// first For of its name and shared by later ones. It is safe for concurrent
// use.
type Limiter struct {
	limit   rate.Limit
	burst   int
	key     KeyFunc
	maxKeys int
	idle    time.Duration

	mu  sync.Mutex
	ops map[string]*opLimit
}

// Option configures a Limiter.
type Option func(*Limiter)

// WithKey gives every key its own bucket of the configured rate and burst.
func WithKey(f KeyFunc) Option { return func(l *Limiter) { l.key = f } }

// WithMaxKeys bounds the keys kept per operation (default 10,000).
func WithMaxKeys(n int) Option { return func(l *Limiter) { l.maxKeys = max(n, 1) } }

// WithIdle sets how long an unused key is kept (default 10 minutes).
func WithIdle(d time.Duration) Option { return func(l *Limiter) { l.idle = d } }

// New returns a Limiter that allows perSecond calls per second on average
// with bursts of up to burst calls, per operation (or per key with
// [WithKey]). A burst below 1 is taken as 1. perSecond <= 0 rejects
// everything; math.Inf(1) allows everything.
func New(perSecond float64, burst int, opts ...Option) *Limiter {
	l := &Limiter{
		limit: rate.Limit(perSecond), burst: max(burst, 1),
		maxKeys: DefaultMaxKeys, idle: DefaultIdle, ops: make(map[string]*opLimit),
	}
	switch {
	case math.IsInf(perSecond, 1):
		l.limit = rate.Inf
	case perSecond <= 0:
		l.limit, l.burst = 0, 0 // no initial burst either
	}
	for _, o := range opts {
		o(l)
	}
	return l
}

type opLimit struct {
	single *rate.Limiter
	keyed  *store
}

// For returns middleware that rate-limits the calls of op.
func (l *Limiter) For(op string) kitendpoint.Middleware {
	l.mu.Lock()
	s, ok := l.ops[op]
	if !ok {
		s = &opLimit{}
		if l.key == nil {
			s.single = rate.NewLimiter(l.limit, l.burst)
		} else {
			s.keyed = newStore(l.limit, l.burst, l.maxKeys, l.idle)
		}
		l.ops[op] = s
	}
	l.mu.Unlock()
	key := l.key
	base := time.Now()
	return func(next kitendpoint.Endpoint) kitendpoint.Endpoint {
		return func(ctx context.Context, req any) (any, error) {
			now := base.Add(time.Since(base)) // keeps base's wall and monotonic readings, at half the cost of time.Now
			lim := s.single
			if lim == nil {
				lim = s.keyed.get(key(ctx, req), now)
			}
			if !lim.AllowN(now, 1) {
				return nil, errs.TooManyRequests(retryAfter(lim), "rate limit exceeded")
			}
			return next(ctx, req)
		}
	}
}

// retryAfter is an upper bound on the time until lim holds one token
// again: after a refused call the bucket holds less than one token, and it
// gains one every 1/rate. A limiter that never refills gives one minute.
// The bound avoids a second lock of the limiter on the rejection path.
func retryAfter(lim *rate.Limiter) time.Duration {
	r := float64(lim.Limit())
	if r <= 0 {
		return time.Minute
	}
	return max(time.Duration(float64(time.Second)/r).Round(time.Millisecond), time.Millisecond)
}
