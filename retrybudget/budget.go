package retrybudget

import (
	"sync/atomic"
	"time"
)

// Defaults: the budget of Finagle and Linkerd, over a window of ten
// one-second buckets.
const (
	DefaultRatio  = 0.2
	DefaultPerSec = 10
	Window        = 10 * time.Second
)

const budgetBuckets = 10 // one-second buckets in Window

// Budget bounds retries so that they cannot multiply an outage: over a
// rolling window of ten one-second buckets ([Window]), retries may
// not exceed ratio × requests + perSecond × 10. This is the retry budget of
// Finagle and Linkerd; New(0.2, 10) is their default (the one
// middleware/retry uses per operation). A request is recorded with
// [Budget.Request], a retry asked for with [Budget.Retry].
//
// A Budget is safe for concurrent use and allocates nothing: the counters
// are atomic words, so it may be shared by every endpoint (or every
// gateway route) that calls one downstream service, to budget that service
// as a whole. Under concurrent calls a retry is granted only against a
// count that includes every retry granted before it in the same second, so
// the bound holds. Use [New]; the zero Budget grants no retry.
type Budget struct {
	ratio, reserve float64
	epoch          time.Time
	// Each word is second<<32 | count, the second counted from epoch.
	calls, retries [budgetBuckets]atomic.Uint64
}

// New returns a Budget allowing ratio retries per request plus
// perSecond retries per second, both over [Window]. Negative values
// count as 0.
func New(ratio, perSecond float64) *Budget {
	return &Budget{
		ratio:   max(ratio, 0),
		reserve: max(perSecond, 0) * Window.Seconds(),
		epoch:   time.Now(),
	}
}

// Request records one request (a first attempt).
func (b *Budget) Request() { b.requestAt(b.now()) }

// Retry reports whether one more retry fits in the budget now and, if so,
// records it: a true answer spends the retry.
func (b *Budget) Retry() bool { return b.retryAt(b.now()) }

// CanRetry reports whether a retry would fit in the budget now, without
// spending it; a later Retry may still be refused by concurrent callers.
func (b *Budget) CanRetry() bool {
	sec := b.now()
	calls, retries := b.sums(sec, b.retries[sec%budgetBuckets].Load())
	return b.fits(calls, retries)
}

// now is the current second since epoch, read off the monotonic clock.
func (b *Budget) now() uint64 { return uint64(time.Since(b.epoch) / time.Second) }

func (b *Budget) requestAt(sec uint64) {
	w := &b.calls[sec%budgetBuckets]
	for {
		old := w.Load()
		if w.CompareAndSwap(old, bump(old, sec)) {
			return
		}
	}
}

func (b *Budget) retryAt(sec uint64) bool {
	w := &b.retries[sec%budgetBuckets]
	for {
		old := w.Load()
		calls, retries := b.sums(sec, old)
		if !b.fits(calls, retries) {
			return false
		}
		// The swap fails if another retry (or a new second) changed the
		// current bucket since old was read: count again.
		if w.CompareAndSwap(old, bump(old, sec)) {
			return true
		}
	}
}

// fits reports whether one more retry stays within the budget.
func (b *Budget) fits(calls, retries uint64) bool {
	return float64(retries+1) <= b.ratio*float64(calls)+b.reserve
}

// sums adds up the buckets of the window ending at sec, taking cur as the
// current retry bucket's word.
func (b *Budget) sums(sec, cur uint64) (calls, retries uint64) {
	for i := range budgetBuckets {
		calls += live(b.calls[i].Load(), sec)
		r := b.retries[i].Load()
		if i == int(sec%budgetBuckets) {
			r = cur
		}
		retries += live(r, sec)
	}
	return calls, retries
}

// live is the count of word w if its second lies in the window ending at
// sec (or after it: a concurrent caller already in the next second).
func live(w, sec uint64) uint64 {
	if int64(sec-w>>32) < budgetBuckets {
		return w & (1<<32 - 1)
	}
	return 0
}

// bump is word w with one more count in second sec: incremented if it
// already counts that second (or a later one), restarted at 1 if it holds
// an older second.
func bump(w, sec uint64) uint64 {
	if w>>32 >= sec {
		return w + 1
	}
	return sec<<32 | 1
}
