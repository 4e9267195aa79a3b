package middleware

import (
	"encoding"
	"fmt"
	"math"
	"reflect"
	"strings"
	"time"

	"github.com/gantrykit/gantry/middleware/breaker"
	"github.com/gantrykit/gantry/middleware/ratelimit"
)

// Validate reports a bad value, naming its key, of the section an Update
// can apply (rate_limit).
func (c Config) Validate() error { return c.RateLimit.Validate() }

// Validate reports a bad value, naming its key, of the section an Update
// can apply (breaker).
func (c ClientConfig) Validate() error { return c.Breaker.Validate() }

// Validate reports a negative or non-finite rate or a negative burst.
func (c RateLimitConfig) Validate() error {
	switch {
	case c.PerSecond < 0 || math.IsNaN(c.PerSecond) || math.IsInf(c.PerSecond, 0):
		return fmt.Errorf("rate_limit.per_second: got %v, want a finite number >= 0 (0: no limit)", c.PerSecond)
	case c.Burst < 0:
		return fmt.Errorf("rate_limit.burst: got %d, want >= 0 (0: per_second rounded up)", c.Burst)
	}
	return nil
}

// Validate reports breaker values out of range: a failure ratio outside
// 0-1, or a negative count or duration (consecutive_failures excepted:
// negative turns that rule off).
func (c BreakerConfig) Validate() error {
	for _, d := range []struct {
		key  string
		bad  bool
		got  any
		want string
	}{
		{"failure_ratio", !(c.FailureRatio >= 0 && c.FailureRatio <= 1), c.FailureRatio, "0 to 1 (0: 0.5)"},
		{"min_requests", c.MinRequests < 0, c.MinRequests, ">= 0"},
		{"open_timeout", c.OpenTimeout < 0, c.OpenTimeout, ">= 0"},
		{"window", c.Window < 0, c.Window, ">= 0"},
		{"half_open_requests", c.HalfOpenRequests < 0, c.HalfOpenRequests, ">= 0"},
		{"k", !(c.K >= 0) || math.IsInf(c.K, 0), c.K, "a finite number >= 0"},
	} {
		if d.bad {
			return fmt.Errorf("breaker.%s: got %v, want %s", d.key, d.got, d.want)
		}
	}
	return nil
}

// Update applies the LiveKeys of cfg to the running chain (the rate limit:
// per_second 0 turns limiting off, a positive one on), for every
// operation, existing and future, while calls go through. It returns the
// keys whose value in cfg differs from the running one but that only a new
// chain applies; those keep their running value. If cfg fails Validate,
// nothing changes. It is safe for concurrent use.
func (s *Server) Update(cfg Config) (needsRestart []string, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("middleware: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	next := s.cfg
	copyLive(&next, cfg, LiveKeys())
	restart := changedKeys("", reflect.ValueOf(next), reflect.ValueOf(cfg))
	s.limiter.SetRate(rateOf(next.RateLimit))
	s.cfg = next
	return restart, nil
}

// Update applies the ClientLiveKeys of cfg (the breaker thresholds; see
// breaker.Breaker.SetOpenTimeout) to the running client chain, for every
// operation, existing and future, while calls go through, and returns the
// keys that need a new chain, as Server.Update does.
func (c *Client) Update(cfg ClientConfig) (needsRestart []string, err error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("middleware: client: %w", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	next := c.cfg
	copyLive(&next, cfg, ClientLiveKeys())
	restart := changedKeys("", reflect.ValueOf(next), reflect.ValueOf(cfg))
	applyBreaker(c.breaker, next.Breaker)
	c.cfg = next
	return restart, nil
}

// rateOf turns the config into ratelimit's arguments: no limit is an
// infinite rate.
func rateOf(c RateLimitConfig) (float64, int) {
	if c.PerSecond <= 0 {
		return math.Inf(1), 1
	}
	return c.PerSecond, or(c.Burst, int(math.Ceil(c.PerSecond)))
}

// tripOf turns the config into breaker.WithTrip's arguments.
func tripOf(c BreakerConfig) (uint32, float64, uint32, time.Duration) {
	consecutive := or(c.ConsecutiveFailures, breaker.DefaultConsecutiveFailures)
	return uint32(max(or(c.MinRequests, breaker.DefaultMinRequests), 1)),
		or(c.FailureRatio, breaker.DefaultFailureRatio), uint32(max(consecutive, 0)),
		or(c.OpenTimeout, breaker.DefaultOpenTimeout)
}

// applyBreaker sets b's thresholds; b is nil when the breaker is off.
func applyBreaker(b *breaker.Breaker, c BreakerConfig) {
	if b == nil {
		return
	}
	minRequests, ratio, consecutive, open := tripOf(c)
	b.SetTrip(minRequests, ratio, consecutive)
	b.SetOpenTimeout(open)
}

// newLimiter makes the rate limit layer's Limiter.
func newLimiter(c RateLimitConfig) *ratelimit.Limiter { return ratelimit.New(rateOf(c)) }

// changedKeys lists the yaml key paths of the leaves that differ between
// the config structs a and b.
func changedKeys(prefix string, a, b reflect.Value) []string {
	var out []string
	t := a.Type()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		fa, fb := a.Field(i), b.Field(i)
		if ft := t.Field(i).Type; ft.Kind() == reflect.Struct && !reflect.PointerTo(ft).Implements(reflect.TypeFor[encoding.TextUnmarshaler]()) {
			out = append(out, changedKeys(prefix+name+".", fa, fb)...)
		} else if !reflect.DeepEqual(fa.Interface(), fb.Interface()) {
			out = append(out, prefix+name)
		}
	}
	return out
}
