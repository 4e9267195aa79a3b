package gateway

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// keyedLimiter is a token bucket per client key (IP or JWT subject). The
// key space is bounded: past maxLimiterKeys the idle buckets (those that
// have refilled) are dropped, so a flood of new keys costs memory only up
// to that bound.
type keyedLimiter struct {
	limit rate.Limit
	burst int

	mu      sync.Mutex
	buckets map[string]*rate.Limiter
}

const maxLimiterKeys = 65536

func newKeyedLimiter(c RateLimitConfig) *keyedLimiter {
	if c.RPS <= 0 {
		return nil
	}
	burst := c.Burst
	if burst == 0 {
		burst = max(1, int(c.RPS))
	}
	return &keyedLimiter{limit: rate.Limit(c.RPS), burst: burst, buckets: map[string]*rate.Limiter{}}
}

// allow takes a token for key, or reports how long until one is there.
func (k *keyedLimiter) allow(key string, now time.Time) (ok bool, retryAfter time.Duration) {
	k.mu.Lock()
	l := k.buckets[key]
	if l == nil {
		if len(k.buckets) >= maxLimiterKeys {
			k.evict(now)
		}
		l = rate.NewLimiter(k.limit, k.burst)
		k.buckets[key] = l
	}
	k.mu.Unlock()
	r := l.ReserveN(now, 1)
	if !r.OK() {
		return false, time.Second
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// evict drops full buckets; called with k.mu held.
func (k *keyedLimiter) evict(now time.Time) {
	for key, l := range k.buckets {
		if l.TokensAt(now) >= float64(k.burst) {
			delete(k.buckets, key)
		}
	}
	if len(k.buckets) >= maxLimiterKeys { // all busy: start over
		clear(k.buckets)
	}
}
