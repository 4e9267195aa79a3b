package breaker

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"

	kitendpoint "github.com/go-kit/kit/endpoint"
)

const buckets = 10

// throttle is one operation's SRE adaptive throttle over a rolling window
// of ten buckets.
type throttle struct {
	k      float64
	bucket time.Duration
	isFail func(error) bool
	rand   func() float64

	mu     sync.Mutex
	counts [buckets]struct{ epoch, requests, accepts int64 }
}

func newThrottle(cfg config) *throttle {
	return &throttle{k: cfg.k, bucket: max(cfg.window/buckets, time.Millisecond), isFail: cfg.isFailure, rand: rand.Float64}
}

// totals sums the buckets still in the window at epoch; t.mu is held.
func (t *throttle) totals(epoch int64) (requests, accepts float64) {
	for i := range t.counts {
		if b := &t.counts[i]; epoch-b.epoch < buckets {
			requests += float64(b.requests)
			accepts += float64(b.accepts)
		}
	}
	return requests, accepts
}

// slot returns the bucket of epoch, cleared if it held an older epoch, or
// nil if epoch has already left the window; t.mu is held.
func (t *throttle) slot(epoch int64) *struct{ epoch, requests, accepts int64 } {
	b := &t.counts[epoch%buckets]
	switch {
	case b.epoch > epoch:
		return nil
	case b.epoch < epoch:
		b.epoch, b.requests, b.accepts = epoch, 0, 0
	}
	return b
}

// admit counts a request and reports whether it may proceed.
func (t *throttle) admit(now time.Time) bool {
	epoch := now.UnixNano() / int64(t.bucket)
	t.mu.Lock()
	requests, accepts := t.totals(epoch)
	if b := t.slot(epoch); b != nil {
		b.requests++
	}
	t.mu.Unlock()
	p := (requests - t.k*accepts) / (requests + 1)
	return p <= 0 || t.rand() >= p
}

// forget takes back the request admit counted at now.
func (t *throttle) forget(now time.Time) {
	epoch := now.UnixNano() / int64(t.bucket)
	t.mu.Lock()
	if b := t.slot(epoch); b != nil && b.requests > 0 {
		b.requests--
	}
	t.mu.Unlock()
}

// accept counts an accepted call.
func (t *throttle) accept(now time.Time) {
	epoch := now.UnixNano() / int64(t.bucket)
	t.mu.Lock()
	if b := t.slot(epoch); b != nil { // a call that outlived the window is not counted
		b.accepts++
	}
	t.mu.Unlock()
}

func (t *throttle) middleware(next kitendpoint.Endpoint) kitendpoint.Endpoint {
	return func(ctx context.Context, req any) (any, error) {
		now := time.Now()
		if !t.admit(now) {
			return nil, unavailable(time.Second)
		}
		resp, err := next(ctx, req)
		switch {
		case err != nil && ctx.Err() != nil:
			// The caller gave up or ran out of its own time: neither way.
			t.forget(now)
		case err == nil || !t.isFail(err):
			t.accept(now)
		}
		return resp, err
	}
}
