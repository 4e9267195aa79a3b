package retrybudget

import (
	"sync"
	"sync/atomic"
	"testing"
)

func TestBudgetWindow(t *testing.T) {
	b := New(0, 1) // a reserve of 10 retries per window
	const sec = 1000
	for i := range 10 {
		if !b.retryAt(sec) {
			t.Fatalf("retry %d refused, want the reserve of 10", i)
		}
	}
	if b.retryAt(sec) {
		t.Errorf("got an 11th retry, want refused")
	}
	if b.retryAt(sec + budgetBuckets - 1) {
		t.Errorf("got a retry 9s later, want refused (still in the window)")
	}
	if !b.retryAt(sec + budgetBuckets) {
		t.Errorf("got refused a window later, want the old retries forgotten")
	}
}

func TestBudgetRatio(t *testing.T) {
	b := New(0.2, 0)
	for s := uint64(0); s < 10; s++ { // 10 requests spread over the window
		b.requestAt(100 + s)
	}
	for i := range 2 {
		if !b.retryAt(109) {
			t.Fatalf("retry %d of 2 after 10 requests at 20%%: got refused, want allowed", i+1)
		}
	}
	if b.retryAt(109) {
		t.Errorf("third retry after 10 requests at 20%%: got allowed, want refused")
	}
	// At second 110 the request of second 100 left the window: 9 requests
	// earn 1.8 retries, and the 2 spent at 109 are still in it.
	if b.retryAt(110) {
		t.Errorf("retry at 110: got allowed, want refused (2 > 0.2 × 9)")
	}
}

func TestBudgetConcurrent(t *testing.T) {
	b := New(0.5, 0)
	const workers, each = 8, 1000
	var granted atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range each {
				b.Request()
				if b.Retry() {
					granted.Add(1)
				}
			}
		})
	}
	wg.Wait()
	// All calls land in at most two seconds of one window; every grant
	// was checked against a count that included the grants before it.
	if got, limit := granted.Load(), int64(workers*each/2); got > limit {
		t.Errorf("got %d retries granted, want ≤ %d (50%% of %d requests)", got, limit, workers*each)
	}
	if b.CanRetry() != (granted.Load() < workers*each/2) {
		t.Errorf("CanRetry = %v with %d of %d granted", b.CanRetry(), granted.Load(), workers*each/2)
	}
}
