package shed

import (
	"context"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// limiter is the state of one operation: calls in flight, the current limit,
// the wait queue and the gradient estimator.
type limiter struct {
	cfg      config
	base     time.Time // durations are time.Since(base): monotonic only
	inflight atomic.Int64
	limit    atomic.Int64 // min(adaptive limit, max in flight)
	waiting  atomic.Int64 // len(queue), readable without mu

	mu    sync.Mutex
	queue []*waiter

	est   estimator // guarded by estMu
	estMu sync.Mutex
	gauge prometheus.Gauge
}

type waiter struct {
	ready    chan struct{}
	admitted bool // guarded by limiter.mu
}

func newLimiter(cfg config, op string) *limiter {
	l := &limiter{cfg: cfg, base: time.Now()}
	initial := cfg.maxInFlight
	if cfg.adaptive {
		initial = min(max(cfg.initialLimit, cfg.minLimit), cfg.maxInFlight)
	}
	l.limit.Store(int64(initial))
	l.est = estimator{limit: float64(initial), min: float64(cfg.minLimit), max: float64(cfg.maxInFlight),
		tolerance: cfg.tolerance, window: cfg.window}
	if cfg.limitGauge != nil {
		l.gauge = cfg.limitGauge.WithLabelValues(cfg.service, op)
		l.gauge.Set(float64(initial))
	}
	return l
}

// adaptiveBinding reports whether the adaptive limit, not the bulkhead, is
// what refuses calls now; such calls are rejected without queueing.
func (l *limiter) adaptiveBinding() bool {
	return l.cfg.adaptive && l.limit.Load() < int64(l.cfg.maxInFlight)
}

// tryAcquire takes a slot if one is free.
func (l *limiter) tryAcquire() bool {
	for {
		n := l.inflight.Load()
		if n >= l.limit.Load() {
			return false
		}
		if l.inflight.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// wait queues the caller for a slot; it reports whether it got one.
func (l *limiter) wait(ctx context.Context) bool {
	if l.cfg.queue == 0 || l.cfg.queueWait <= 0 {
		return false
	}
	l.mu.Lock()
	if len(l.queue) >= l.cfg.queue {
		l.mu.Unlock()
		return false
	}
	// Announce the waiter before the last check, so that a release either
	// sees it or frees a slot that this check sees.
	w := &waiter{ready: make(chan struct{})}
	l.queue = append(l.queue, w)
	l.waiting.Add(1)
	if l.tryAcquire() {
		l.remove(w)
		l.mu.Unlock()
		return true
	}
	l.mu.Unlock()

	t := time.NewTimer(l.cfg.queueWait)
	defer t.Stop()
	select {
	case <-w.ready:
		return true
	case <-t.C:
	case <-ctx.Done():
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if w.admitted { // handed a slot while giving up: keep it
		return true
	}
	l.remove(w)
	return false
}

// remove drops w from the queue; l.mu is held.
func (l *limiter) remove(w *waiter) {
	for i, q := range l.queue {
		if q == w {
			l.queue = append(l.queue[:i], l.queue[i+1:]...)
			l.waiting.Add(-1)
			return
		}
	}
}

// release frees a slot and hands free slots to waiters in FIFO order.
func (l *limiter) release() {
	l.inflight.Add(-1)
	if l.waiting.Load() == 0 {
		return
	}
	l.mu.Lock()
	for len(l.queue) > 0 && l.tryAcquire() {
		w := l.queue[0]
		l.queue[0] = nil
		l.queue = l.queue[1:]
		l.waiting.Add(-1)
		w.admitted = true
		close(w.ready)
	}
	l.mu.Unlock()
}

// done releases the slot and feeds the call's latency to the estimator.
func (l *limiter) done(start time.Duration, inflight int64) {
	now := time.Since(l.base)
	l.estMu.Lock()
	changed := l.est.sample(now, now-start, inflight)
	limit := l.est.limit
	l.estMu.Unlock()
	if changed {
		l.limit.Store(int64(math.Round(limit)))
		if l.gauge != nil {
			l.gauge.Set(math.Round(limit))
		}
	}
	l.release()
}
