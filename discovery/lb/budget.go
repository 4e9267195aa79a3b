package lb

import (
	"sync"
	"time"
)

// Budget bounds retries so they cannot multiply an outage: over a sliding
// 10-second window, retries may not exceed Ratio × requests + MinPerSecond
// × 10 (Finagle's and Linkerd's retry budget; NewBudget(0.2, 10) is their
// default). It is safe for concurrent use and may be shared by many
// endpoints to budget a whole downstream service.
type Budget struct {
	ratio, reserve float64
	epoch          time.Time
	mu             sync.Mutex
	buckets        [budgetSeconds]budgetBucket
}

const budgetSeconds = 10

type budgetBucket struct {
	sec           int64
	reqs, retries int64
}

// NewBudget returns a Budget allowing ratio retries per request plus
// minPerSecond retries per second.
func NewBudget(ratio, minPerSecond float64) *Budget {
	return &Budget{ratio: ratio, reserve: minPerSecond * budgetSeconds, epoch: time.Now()}
}

func (b *Budget) bucket() *budgetBucket {
	sec := int64(time.Since(b.epoch) / time.Second)
	bk := &b.buckets[sec%budgetSeconds]
	if bk.sec != sec {
		*bk = budgetBucket{sec: sec}
	}
	return bk
}

// Request records one request (a first attempt).
func (b *Budget) Request() {
	b.mu.Lock()
	b.bucket().reqs++
	b.mu.Unlock()
}

// Retry reports whether one more retry fits in the budget, and if so
// records it.
func (b *Budget) Retry() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	cur := b.bucket()
	var reqs, retries int64
	for i := range b.buckets {
		if bk := &b.buckets[i]; cur.sec-bk.sec < budgetSeconds {
			reqs += bk.reqs
			retries += bk.retries
		}
	}
	if float64(retries+1) > b.ratio*float64(reqs)+b.reserve {
		return false
	}
	cur.retries++
	return true
}
