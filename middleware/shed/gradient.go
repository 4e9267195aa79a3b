package shed

import (
	"math"
	"time"
)

// estimator is a windowed Gradient2 concurrency limit estimator: once per
// window it compares the window's average latency (short) with an
// exponential average over many windows (long) and moves the limit toward
// limit×gradient + headroom, where gradient = clamp(tolerance×long/short,
// 0.5, 1) and headroom = sqrt(limit), smoothed (a fifth of the way up, half
// of the way down, so that an overload is met within a few windows).
type estimator struct {
	limit, min, max float64
	tolerance       float64
	window          time.Duration

	windowStart time.Duration // on the limiter's clock; 0 before the first sample
	started     bool
	sum         time.Duration
	count       int
	maxInflight int64

	long    float64 // long-term latency in seconds, 0 until the first window
	windows int
}

const (
	minWindowSamples = 10
	longWindows      = 600 // windows in the long-term average
	warmupWindows    = 10  // plain average over the first windows
	smoothing        = 0.2 // toward a higher limit: grow carefully
	smoothingDown    = 0.5 // toward a lower limit: back off within a few windows
)

// sample records one call and reports whether the limit changed.
func (e *estimator) sample(now, rtt time.Duration, inflight int64) bool {
	if !e.started {
		e.windowStart, e.started = now, true
	}
	e.sum += rtt
	e.count++
	e.maxInflight = max(e.maxInflight, inflight)
	if e.count < minWindowSamples || now-e.windowStart < e.window {
		return false
	}
	short := e.sum.Seconds() / float64(e.count)
	maxInflight := e.maxInflight
	e.windowStart, e.sum, e.count, e.maxInflight = now, 0, 0, 0
	if short <= 0 {
		return false
	}
	e.windows++
	switch {
	case e.windows <= warmupWindows:
		e.long += (short - e.long) / float64(e.windows)
	default:
		e.long += (short - e.long) * 2 / (longWindows + 1)
	}
	// Recover quickly after a long period of high latency.
	if e.long/short > 2 {
		e.long *= 0.95
	}
	// An application-limited operation says nothing about its capacity.
	if float64(maxInflight) < e.limit/2 {
		return false
	}
	gradient := max(0.5, min(1, e.tolerance*e.long/short))
	next := e.limit*gradient + math.Sqrt(e.limit)
	if next < e.limit {
		next = e.limit*(1-smoothingDown) + next*smoothingDown
	} else {
		next = e.limit*(1-smoothing) + next*smoothing
	}
	next = max(e.min, min(e.max, next))
	if next == e.limit {
		return false
	}
	e.limit = next
	return true
}
