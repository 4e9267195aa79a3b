package retry

import (
	"sync"
	"time"
)

const budgetBuckets = 10

// budget is a Finagle-style retry budget over a rolling window of ten
// one-second buckets.
type budget struct {
	ratio, reserve float64

	mu      sync.Mutex
	buckets [budgetBuckets]struct{ sec, calls, retries int64 }
}

func newBudget(ratio, perSecond float64) *budget {
	return &budget{ratio: ratio, reserve: perSecond * BudgetWindow.Seconds()}
}

// at returns the bucket of second sec, cleared if it held an older second;
// b.mu is held.
func (b *budget) at(sec int64) *struct{ sec, calls, retries int64 } {
	k := &b.buckets[sec%budgetBuckets]
	if k.sec != sec {
		k.sec, k.calls, k.retries = sec, 0, 0
	}
	return k
}

// deposit counts a call.
func (b *budget) deposit(now time.Time) {
	b.mu.Lock()
	b.at(now.Unix()).calls++
	b.mu.Unlock()
}

// withdraw takes one retry from the budget if it allows one.
func (b *budget) withdraw(now time.Time) bool {
	sec := now.Unix()
	b.mu.Lock()
	defer b.mu.Unlock()
	var calls, retries float64
	for _, k := range b.buckets {
		if sec-k.sec < budgetBuckets {
			calls += float64(k.calls)
			retries += float64(k.retries)
		}
	}
	if retries+1 > b.ratio*calls+b.reserve {
		return false
	}
	b.at(sec).retries++
	return true
}
