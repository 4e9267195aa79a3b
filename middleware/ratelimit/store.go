package ratelimit

import (
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// store holds the buckets of one operation's keys, bounded in number and
// dropping idle ones.
type store struct {
	limit   rate.Limit
	burst   int
	maxKeys int
	idle    time.Duration

	mu        sync.RWMutex
	keys      map[string]*entry
	lastSweep time.Time
}

type entry struct {
	lim  *rate.Limiter
	seen atomic.Int64 // unix nanoseconds of the last call
}

func newStore(limit rate.Limit, burst, maxKeys int, idle time.Duration) *store {
	return &store{limit: limit, burst: burst, maxKeys: maxKeys, idle: idle, keys: make(map[string]*entry)}
}

// get returns key's bucket, creating it if needed.
func (s *store) get(key string, now time.Time) *rate.Limiter {
	s.mu.RLock()
	e, ok := s.keys[key]
	s.mu.RUnlock()
	if ok {
		e.seen.Store(now.UnixNano())
		return e.lim
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.keys[key]; ok {
		e.seen.Store(now.UnixNano())
		return e.lim
	}
	if now.Sub(s.lastSweep) >= s.idle/2 || len(s.keys) >= s.maxKeys {
		s.sweep(now)
	}
	for k := range s.keys { // still full: evict an arbitrary key
		if len(s.keys) < s.maxKeys {
			break
		}
		delete(s.keys, k)
	}
	e = &entry{lim: rate.NewLimiter(s.limit, s.burst)}
	e.seen.Store(now.UnixNano())
	s.keys[key] = e
	return e.lim
}

// sweep drops keys idle for longer than s.idle; s.mu is held.
func (s *store) sweep(now time.Time) {
	s.lastSweep = now
	cutoff := now.Add(-s.idle).UnixNano()
	for k, e := range s.keys {
		if e.seen.Load() < cutoff {
			delete(s.keys, k)
		}
	}
}

// set changes the rate and burst of every key's bucket, and of those made
// later.
func (s *store) set(limit rate.Limit, burst int, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limit, s.burst = limit, burst
	for _, e := range s.keys {
		set(e.lim, limit, burst, now)
	}
}

// len returns the number of keys held.
func (s *store) len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.keys)
}
