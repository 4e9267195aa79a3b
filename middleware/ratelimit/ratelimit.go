package ratelimit

import (
	"context"
	"math"
	"sync"
	"sync/atomic"
	"time"

	kitendpoint "github.com/go-kit/kit/endpoint"
	"golang.org/x/time/rate"

	"github.com/gantrykit/gantry/errs"
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
// use; [Limiter.SetRate] changes its rate while calls go through.
type Limiter struct {
	key     KeyFunc
	maxKeys int
	idle    time.Duration
	// unlimited is set while the rate is infinite: calls then skip the
	// buckets, at the cost of one atomic load.
	unlimited atomic.Bool

	mu    sync.Mutex
	limit rate.Limit
	burst int
	ops   map[string]*opLimit
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
	l := &Limiter{maxKeys: DefaultMaxKeys, idle: DefaultIdle, ops: make(map[string]*opLimit)}
	l.limit, l.burst = bucket(perSecond, burst)
	l.unlimited.Store(l.limit == rate.Inf)
	for _, o := range opts {
		o(l)
	}
	return l
}

// bucket turns New's arguments into a rate.Limiter's.
func bucket(perSecond float64, burst int) (rate.Limit, int) {
	switch {
	case math.IsInf(perSecond, 1):
		return rate.Inf, max(burst, 1)
	case perSecond <= 0 || math.IsNaN(perSecond):
		return 0, 0 // no initial burst either
	}
	return rate.Limit(perSecond), max(burst, 1)
}

// SetRate changes the rate and burst of every bucket of l, existing (every
// operation's, every key's) and future, with the meaning they have in
// [New]; math.Inf(1) turns limiting off, so that a Limiter made with an
// infinite rate costs calls one atomic load until a finite rate is set.
// A bucket keeps the tokens it holds, up to the new burst; one that had an
// infinite rate starts full, like a new one. It is safe to
// call while calls go through; a call that runs during SetRate sees the
// old or the new rate.
func (l *Limiter) SetRate(perSecond float64, burst int) {
	limit, b := bucket(perSecond, burst)
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.limit, l.burst = limit, b
	for _, s := range l.ops {
		if s.single != nil {
			set(s.single, limit, b, now)
		} else {
			s.keyed.set(limit, b, now)
		}
	}
	l.unlimited.Store(limit == rate.Inf)
}

// Rate returns the rate and burst that l applies.
func (l *Limiter) Rate() (perSecond float64, burst int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return float64(l.limit), l.burst
}

// set changes lim's rate and burst at now. A bucket leaving an infinite
// rate is filled: its burst is set a nanosecond earlier, and that
// nanosecond at the infinite rate fills it up to the new burst when the
// rate is set.
func set(lim *rate.Limiter, limit rate.Limit, burst int, now time.Time) {
	at := now
	if lim.Limit() == rate.Inf {
		at = now.Add(-time.Nanosecond)
	}
	lim.SetBurstAt(at, burst)
	lim.SetLimitAt(now, limit)
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
			if l.unlimited.Load() {
				return next(ctx, req)
			}
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
