package shed

import (
	"testing"
	"time"
)

func TestEstimator(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name     string
		min      float64 // default 2
		phases   []phase
		wantLess float64 // final limit < wantLess (0: no bound)
		wantMore float64 // final limit > wantMore
	}{
		{name: "flat latency at the limit grows", phases: []phase{{rtt: 10 * ms, inflight: 20, windows: 50}}, wantMore: 30},
		{name: "app limited keeps the limit", phases: []phase{{rtt: 10 * ms, inflight: 2, windows: 50}}, wantMore: 19.9, wantLess: 20.1},
		{name: "latency growth shrinks", phases: []phase{
			{rtt: 10 * ms, inflight: 20, windows: 10},
			{rtt: 100 * ms, inflight: 200, windows: 30},
		}, wantLess: 15},
		{name: "never below min", min: 12, phases: []phase{
			{rtt: ms, inflight: 20, windows: 10},
			{rtt: time.Second, inflight: 1000, windows: 40},
		}, wantMore: 11.99, wantLess: 12.01},
		{name: "never above max", phases: []phase{{rtt: ms, inflight: 1000, windows: 500}}, wantMore: 99.99, wantLess: 100.01},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.min == 0 {
				tt.min = 2
			}
			e := estimator{limit: 20, min: tt.min, max: 100, tolerance: 1.5, window: 100 * ms}
			var now time.Duration
			for _, p := range tt.phases {
				for range p.windows {
					for range minWindowSamples {
						now += 10 * ms
						e.sample(now, p.rtt, p.inflight)
					}
				}
			}
			if tt.wantLess > 0 && e.limit >= tt.wantLess {
				t.Errorf("got limit %.2f, want < %v", e.limit, tt.wantLess)
			}
			if e.limit <= tt.wantMore {
				t.Errorf("got limit %.2f, want > %v", e.limit, tt.wantMore)
			}
		})
	}
}

type phase struct {
	rtt      time.Duration
	inflight int64
	windows  int
}
