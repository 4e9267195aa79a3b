package lb_test

import (
	"context"
	"io"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gantrykit/gantry/discovery/lb"
	"github.com/gantrykit/gantry/discovery/static"
	"github.com/go-kit/kit/endpoint"
)

// TestAcceptanceSlowInstance: one of three instances is 10× slower
// (in-process simulated service time: time.Sleep of 2ms, 2ms, 20ms); 8
// concurrent callers make 3000 calls through each policy. P2C-EWMA must
// send ≤ 5% of calls to the slow one and keep its p95 ≤ 2× the healthy
// service time measured in the same run. It measures wall-clock time, so it
// runs only with GANTRY_ACCEPTANCE=1.
func TestAcceptanceSlowInstance(t *testing.T) {
	if os.Getenv("GANTRY_ACCEPTANCE") != "1" {
		t.Skip("timed acceptance test; run with GANTRY_ACCEPTANCE=1")
	}
	const healthy, slow = 2 * time.Millisecond, 20 * time.Millisecond
	service := map[string]time.Duration{"a:1": healthy, "b:1": healthy, "c:1": slow}
	base := p95(measure(100, func() { time.Sleep(healthy) }))
	t.Logf("healthy service time (time.Sleep(2ms)) p95: %v", base)

	for _, p := range []lb.Policy{lb.P2C(), lb.RoundRobin()} {
		var toSlow atomic.Int64
		factory := func(addr string) (endpoint.Endpoint, io.Closer, error) {
			return func(context.Context, any) (any, error) {
				if addr == "c:1" {
					toSlow.Add(1)
				}
				time.Sleep(service[addr])
				return nil, nil
			}, nil, nil
		}
		bal := lb.New(static.Fixed("s", "a:1", "b:1", "c:1"), factory, p, lb.Options{})
		lat := load(bal, 8, 3000)
		bal.Close()
		share := float64(toSlow.Load()) / 3000
		got := p95(lat)
		t.Logf("%-11s calls to slow: %4.1f%%  p50 %v  p95 %v (%.2f× healthy p95)  p99 %v",
			p, 100*share, lat[len(lat)/2], got, float64(got)/float64(base), lat[len(lat)*99/100])
		if p.String() == "p2c_ewma" {
			if share > 0.05 {
				t.Errorf("P2C share of calls to the slow instance: got %.1f%%, want ≤ 5%%", 100*share)
			}
			if got > 2*base {
				t.Errorf("P2C p95: got %v, want ≤ 2× healthy p95 %v", got, 2*base)
			}
		}
	}
}

func measure(n int, f func()) []time.Duration {
	d := make([]time.Duration, n)
	for i := range d {
		start := time.Now()
		f()
		d[i] = time.Since(start)
	}
	slices.Sort(d)
	return d
}

// load makes calls through bal from workers goroutines and returns the
// sorted latencies.
func load(bal *lb.Balancer, workers, calls int) []time.Duration {
	var (
		mu   sync.Mutex
		lat  = make([]time.Duration, 0, calls)
		next atomic.Int64
		wg   sync.WaitGroup
	)
	for range workers {
		wg.Go(func() {
			for next.Add(1) <= int64(calls) {
				start := time.Now()
				ep, err := bal.Endpoint()
				if err == nil {
					_, _ = ep(context.Background(), nil)
				}
				d := time.Since(start)
				mu.Lock()
				lat = append(lat, d)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	slices.Sort(lat)
	return lat
}

func p95(sorted []time.Duration) time.Duration { return sorted[len(sorted)*95/100] }
