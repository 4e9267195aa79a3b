package breaker

import (
	"testing"
	"time"
)

func TestThrottleProbability(t *testing.T) {
	tests := []struct {
		name              string
		requests, accepts int64
		draw              float64 // the random number
		wantAdmit         bool
	}{
		{name: "empty window admits", draw: 0, wantAdmit: true},
		{name: "all accepted admits", requests: 100, accepts: 100, draw: 0, wantAdmit: true},
		{name: "half accepted is at K=2 boundary", requests: 100, accepts: 50, draw: 0, wantAdmit: true},
		{name: "none accepted, draw below p", requests: 100, accepts: 0, draw: 0.98, wantAdmit: false},
		{name: "none accepted, draw above p", requests: 100, accepts: 0, draw: 0.995, wantAdmit: true},
		{name: "quarter accepted p=0.495", requests: 100, accepts: 25, draw: 0.49, wantAdmit: false},
		{name: "quarter accepted, draw above", requests: 100, accepts: 25, draw: 0.5, wantAdmit: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			th := newThrottle(config{k: 2, window: 10 * time.Second})
			th.rand = func() float64 { return tt.draw }
			now := time.Unix(1000, 0)
			epoch := now.UnixNano() / int64(th.bucket)
			b := th.slot(epoch)
			b.requests, b.accepts = tt.requests, tt.accepts
			if got := th.admit(now); got != tt.wantAdmit {
				t.Errorf("got admit %v, want %v", got, tt.wantAdmit)
			}
		})
	}
}

func TestThrottleWindow(t *testing.T) {
	th := newThrottle(config{k: 2, window: 10 * time.Second})
	th.rand = func() float64 { return 0 }
	start := time.Unix(1000, 0)
	for range 100 {
		th.admit(start) // 100 requests, no accepts
	}
	if th.admit(start) {
		t.Errorf("got admitted inside the window, want rejected")
	}
	// Once the window has passed, the old buckets no longer count.
	if !th.admit(start.Add(11 * time.Second)) {
		t.Errorf("got rejected after the window, want admitted")
	}
	// An accept for a call that started before the window is dropped, not
	// counted in (and clearing) a newer bucket.
	th.accept(start)
	if r, a := th.totals(start.Add(11*time.Second).UnixNano() / int64(th.bucket)); r != 1 || a != 0 {
		t.Errorf("got %v requests %v accepts, want 1 and 0", r, a)
	}
}
