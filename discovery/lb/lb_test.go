package lb_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gantrykit/gantry/discovery"
	"github.com/gantrykit/gantry/discovery/lb"
	"github.com/gantrykit/gantry/errs"
	"github.com/go-kit/kit/endpoint"
	kitlb "github.com/go-kit/kit/sd/lb"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fakeClock is a clock the test endpoints advance by their service time,
// so measured latencies are exact.
type fakeClock struct{ ns atomic.Int64 }

func (c *fakeClock) now() int64              { return c.ns.Load() }
func (c *fakeClock) advance(d time.Duration) { c.ns.Add(int64(d)) }

// cluster is a set of instances whose behaviour the test sets per address.
type cluster struct {
	clock   *fakeClock
	latency map[string]time.Duration
	err     map[string]error
	calls   map[string]*atomic.Int64
	closed  atomic.Int64
}

func newCluster(addrs ...string) *cluster {
	c := &cluster{clock: &fakeClock{}, latency: map[string]time.Duration{}, err: map[string]error{}, calls: map[string]*atomic.Int64{}}
	for _, a := range addrs {
		c.latency[a] = time.Millisecond
		c.calls[a] = &atomic.Int64{}
	}
	return c
}

func (c *cluster) factory(addr string) (endpoint.Endpoint, io.Closer, error) {
	if _, ok := c.calls[addr]; !ok {
		return nil, nil, fmt.Errorf("unknown instance %s", addr)
	}
	ep := func(context.Context, any) (any, error) {
		c.calls[addr].Add(1)
		c.clock.advance(c.latency[addr])
		return addr, c.err[addr]
	}
	return ep, closerFunc(func() error { c.closed.Add(1); return nil }), nil
}

type closerFunc func() error

func (f closerFunc) Close() error { return f() }

func (c *cluster) balancer(t *testing.T, p lb.Policy, opts lb.Options, addrs ...string) (*lb.Balancer, *discovery.Cache) {
	t.Helper()
	cache := discovery.NewCache()
	insts := make([]discovery.Instance, 0, len(addrs))
	for _, a := range addrs {
		insts = append(insts, discovery.Instance{Service: "s", ID: a, Address: a})
	}
	cache.Update(insts)
	b := lb.New(cache, c.factory, p, opts)
	lb.SetClock(b, c.clock.now)
	t.Cleanup(b.Close)
	return b, cache
}

// call picks and calls once, returning the instance that answered.
func call(t *testing.T, b *lb.Balancer) string {
	t.Helper()
	ep, err := b.Endpoint()
	if err != nil {
		t.Fatalf("Endpoint: got %v, want nil", err)
	}
	resp, _ := ep(context.Background(), nil)
	return resp.(string)
}

func counts(t *testing.T, b *lb.Balancer, n int) map[string]int {
	got := map[string]int{}
	for range n {
		got[call(t, b)]++
	}
	return got
}

func TestRoundRobinIsEven(t *testing.T) {
	c := newCluster("a", "b", "c")
	b, _ := c.balancer(t, lb.RoundRobin(), lb.Options{}, "a", "b", "c")
	got := counts(t, b, 300)
	for _, a := range []string{"a", "b", "c"} {
		if got[a] != 100 {
			t.Fatalf("round robin over 300 calls: got %v, want 100 each", got)
		}
	}
}

func TestRandomReachesAll(t *testing.T) {
	c := newCluster("a", "b", "c")
	b, _ := c.balancer(t, lb.Random(), lb.Options{}, "a", "b", "c")
	got := counts(t, b, 3000)
	for _, a := range []string{"a", "b", "c"} {
		if got[a] < 500 { // expected 1000; 500 is ~25 standard deviations away
			t.Fatalf("random over 3000 calls: got %v, want about 1000 each", got)
		}
	}
}

func TestP2CAvoidsSlowAndFailing(t *testing.T) {
	tests := []struct {
		name  string
		setup func(c *cluster)
	}{
		{"slow", func(c *cluster) { c.latency["c"] = 10 * time.Millisecond }},
		{"fast errors", func(c *cluster) {
			c.latency["c"] = 10 * time.Microsecond
			c.err["c"] = errs.Unavailable(0, "overloaded")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCluster("a", "b", "c")
			tt.setup(c)
			b, _ := c.balancer(t, lb.P2C(), lb.Options{}, "a", "b", "c")
			got := counts(t, b, 1000)
			// After one call each, c's cost is higher than a's and b's in
			// every pair until it decays, which takes seconds of the fake
			// clock's time; 1000 calls take about 1s of it.
			if got["c"] > 20 {
				t.Fatalf("P2C calls to c: got %d of 1000 (%v), want at most 20", got["c"], got)
			}
		})
	}
}

func TestP2CCallerFaultIsNotAFailure(t *testing.T) {
	c := newCluster("a", "b")
	c.err["b"] = errs.NotFound("no such order")
	b, _ := c.balancer(t, lb.P2C(), lb.Options{}, "a", "b")
	if got := counts(t, b, 1000); got["b"] < 300 {
		t.Fatalf("P2C calls to an instance answering not-found: got %v, want at least 300 of 1000 to b", got)
	}
}

func TestEjection(t *testing.T) {
	c := newCluster("a", "b")
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	c.err["b"] = refused
	b, _ := c.balancer(t, lb.RoundRobin(), lb.Options{EjectAfter: 3, EjectBackoff: time.Second}, "a", "b")
	counts(t, b, 6) // b fails 3 times in a row: ejected
	if got := counts(t, b, 10); got["b"] != 0 {
		t.Fatalf("calls to an ejected instance: got %v, want none to b", got)
	}
	c.clock.advance(time.Second) // back-off over: b is tried again, fails once, is ejected for 2s
	if got := counts(t, b, 4); got["b"] != 1 {
		t.Fatalf("after the back-off: got %v, want exactly one probe of b", got)
	}
	c.clock.advance(time.Second + time.Millisecond)
	if got := counts(t, b, 4); got["b"] != 0 {
		t.Fatalf("1s into a doubled back-off: got %v, want none to b", got)
	}
	c.err["b"] = nil // b recovers
	c.clock.advance(time.Second)
	if got := counts(t, b, 10); got["b"] != 5 {
		t.Fatalf("after recovery: got %v, want 5 of 10 to b", got)
	}
}

func TestAllEjectedStillPicks(t *testing.T) {
	for _, p := range []lb.Policy{lb.RoundRobin(), lb.Random(), lb.P2C()} {
		t.Run(p.String(), func(t *testing.T) {
			c := newCluster("a", "b")
			refused := fmt.Errorf("connect: %w", syscall.ECONNREFUSED)
			c.err["a"], c.err["b"] = refused, refused
			b, _ := c.balancer(t, p, lb.Options{EjectAfter: 1}, "a", "b")
			counts(t, b, 10)
			if got := counts(t, b, 10); got["a"]+got["b"] != 10 {
				t.Fatalf("picks with every instance ejected: got %v, want 10", got)
			}
		})
	}
}

func TestFollowsInstancer(t *testing.T) {
	c := newCluster("a", "b", "c")
	b, cache := c.balancer(t, lb.RoundRobin(), lb.Options{}, "a")
	if got := counts(t, b, 3); got["a"] != 3 {
		t.Fatalf("one instance: got %v, want all to a", got)
	}
	cache.Update([]discovery.Instance{{Service: "s", ID: "b", Address: "b"}, {Service: "s", ID: "c", Address: "c"}, {Service: "s", ID: "x", Address: "unknown"}})
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := counts(t, b, 4)
		if got["b"] == 2 && got["c"] == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the update: got %v, want b and c only (unknown skipped)", got)
		}
		time.Sleep(time.Millisecond)
	}
	if got := c.closed.Load(); got != 1 {
		t.Fatalf("closers called: got %d, want 1 (a's)", got)
	}
	cache.Update(nil)
	for {
		if _, err := b.Endpoint(); errors.Is(err, kitlb.ErrNoEndpoints) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Endpoint with no instance: want lb.ErrNoEndpoints")
		}
		time.Sleep(time.Millisecond)
	}
	b.Close()
	if got := c.closed.Load(); got != 3 {
		t.Fatalf("closers called after Close: got %d, want 3", got)
	}
	if _, err := b.Endpoint(); !errors.Is(err, kitlb.ErrNoEndpoints) {
		t.Fatalf("Endpoint after Close: got %v, want lb.ErrNoEndpoints", err)
	}
}

func TestWorksWithGoKitRetry(t *testing.T) {
	c := newCluster("a", "b")
	c.err["a"] = errs.Unavailable(0, "down")
	b, _ := c.balancer(t, lb.RoundRobin(), lb.Options{}, "a", "b")
	retry := kitlb.Retry(3, time.Second, b)
	for range 4 {
		resp, err := retry(context.Background(), nil)
		if err != nil || resp != "b" {
			t.Fatalf("go-kit Retry over the balancer: got %v, %v, want b, nil", resp, err)
		}
	}
}

// TestP2CPrefersBusyUnknownToFailed: a node whose first call is still in
// flight (no latency known) ranks below a node that has just failed, so
// P2C does not keep sending calls to the failing node until the other's
// first answer comes back (the reliability suite's network-faults flake).
func TestP2CPrefersBusyUnknownToFailed(t *testing.T) {
	clock := &fakeClock{}
	first, release := make(chan struct{}), make(chan struct{})
	var slowCalls, badCalls atomic.Int64
	factory := func(addr string) (endpoint.Endpoint, io.Closer, error) {
		if addr == "bad" {
			return func(context.Context, any) (any, error) {
				badCalls.Add(1)
				return "bad", errs.Unavailable(0, "connection reset")
			}, nil, nil
		}
		return func(context.Context, any) (any, error) {
			if slowCalls.Add(1) == 1 {
				close(first)
				<-release // the first call waits: slow has a call in flight and no latency yet
			}
			return "slow", nil
		}, nil, nil
	}
	cache := discovery.NewCache()
	cache.Update([]discovery.Instance{{Service: "s", ID: "bad", Address: "bad"}, {Service: "s", ID: "slow", Address: "slow"}})
	b := lb.New(cache, factory, lb.P2C(), lb.Options{})
	lb.SetClock(b, clock.now)
	t.Cleanup(b.Close)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for slowCalls.Load() == 0 { // until a call lands on slow and waits there
			ep, _ := b.Endpoint()
			_, _ = ep(context.Background(), nil)
		}
	}()
	<-first
	for badCalls.Load() == 0 { // bad has failed at least once
		ep, _ := b.Endpoint()
		_, _ = ep(context.Background(), nil)
	}
	before := badCalls.Load()
	clock.advance(time.Millisecond)
	ep, _ := b.Endpoint()
	got, _ := ep(context.Background(), nil)
	close(release)
	<-done
	if got != "slow" || badCalls.Load() != before {
		t.Fatalf("the pick after bad failed went to %v, want slow (its first call in flight, no latency known yet)", got)
	}
}
