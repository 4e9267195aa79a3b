//go:build reliability

package reliability

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// networkFaults: two instances behind the gateway, one of them through the
// fault proxy, under GET load in three phases: 200 ms latency, blackhole
// (connections accepted, nothing answered), reset (RST on every
// connection). No call may wait past the route timeout; resets and the
// blackhole must be invisible to clients: retried on the healthy instance,
// the blackhole once its attempt_timeout passes.
func networkFaults(t *testing.T, p profile, f *fig) {
	const routeTimeout, attemptTimeout = time.Second, 300 * time.Millisecond
	healthy, faulty := newInstance(t), newInstance(t)
	px := newFaultProxy(t, faulty.addr)
	routes := fmt.Sprintf(`services: {api: {urls: ["http://%s", %q], breaker: {failures: 3, open: 2s}}}
routes: [{name: api, prefix: /api, service: api, retries: 2, timeout: %v, attempt_timeout: %v}]
`, px.addr, healthy.url(), routeTimeout, attemptTimeout)
	phase := max(p.load/2, 2*time.Second)
	for _, ph := range []struct {
		mode      string
		delay     time.Duration
		maxFailed float64 // fraction of calls
	}{
		{"latency", 200 * time.Millisecond, 0},
		{"blackhole", 0, 0},
		{"reset", 0, 0},
	} {
		// A fresh gateway per phase: the balancer must find each fault
		// itself, not remember the previous phase's.
		gw := startGateway(t, routes, nil)
		px.set(ph.mode, ph.delay)
		h0, f0, a0 := healthy.hits.Load(), faulty.hits.Load(), px.accepted.Load()
		res := load(context.Background(), 8, phase, get(gw+"/api/x"))
		share := float64(faulty.hits.Load()-f0) / float64(max(1, faulty.hits.Load()-f0+healthy.hits.Load()-h0))
		f.Add("%s: %d GETs, %d failed (%v), p50 %v, p99 %v, slowest %v; the faulty path took %d connections and its instance served %d calls (%.2f%%)",
			ph.mode, res.total(), res.failed(), res.status, res.pct(0.5).Round(time.Microsecond),
			res.pct(0.99).Round(time.Microsecond), res.slowest.Round(time.Millisecond), px.accepted.Load()-a0, faulty.hits.Load()-f0, 100*share)
		if res.slowest > routeTimeout+300*time.Millisecond {
			t.Errorf("%s: slowest call took %v, want ≤ route timeout %v + 300ms", ph.mode, res.slowest, routeTimeout)
		}
		if float64(res.failed()) > ph.maxFailed*float64(res.total()) {
			t.Errorf("%s: failed calls: got %d of %d (%v, last %q), want ≤ %.0f%%", ph.mode, res.failed(), res.total(),
				res.status, res.lastErr, 100*ph.maxFailed)
		}
		px.set("pass", 0)
	}
}
