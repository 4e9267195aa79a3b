package gateway

import (
	"context"
	"fmt"
	"io"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-kit/kit/endpoint"
	"github.com/go-kit/kit/sd"
	"github.com/sony/gobreaker/v2"

	"github.com/gantrykit/gantry/discovery"
	"github.com/gantrykit/gantry/discovery/lb"
	"github.com/gantrykit/gantry/retrybudget"
)

// Resolver turns a service name into a go-kit sd.Instancer. Its instances
// are base URLs ("http://10.0.0.7:8080") or host:port pairs (taken as
// http). The gateway owns the Instancer it is given and calls Stop when the
// service leaves the route table. The discovery packages' instancers fit.
type Resolver interface {
	Instancer(service string) (sd.Instancer, error)
}

// ResolverFunc adapts a function to Resolver.
type ResolverFunc func(service string) (sd.Instancer, error)

// Instancer calls f.
func (f ResolverFunc) Instancer(service string) (sd.Instancer, error) { return f(service) }

// instance is one upstream address with its breaker. Load estimates and
// passive ejection live in the discovery/lb node that wraps it.
type instance struct {
	url *url.URL
	key string
	cb  *gobreaker.TwoStepCircuitBreaker[struct{}]
}

func (in *instance) open() bool { return in.cb.State() == gobreaker.StateOpen }

// upstream is one service: a discovery/lb P2C peak-EWMA balancer over its
// instances, the proxy that reaches them and the retry budget.
//
// The budget is middleware/retry's Finagle budget with ratio 0.2 and a
// reserve of 1/s: over the last 10 s, retries stay within 20% of the
// requests plus 10, which is what the gateway's former token bucket (0.2
// per request, at most 10 banked) allowed at idle and under steady load.
type upstream struct {
	name   string
	cfg    ServiceConfig
	g      *Gateway
	proxy  *httputil.ReverseProxy
	budget *retrybudget.Budget
	m      *upstreamMetrics

	bal       *lb.Balancer
	instancer sd.Instancer
	owned     bool         // the instancer came from the Resolver: Stop it on close
	instances sync.Map     // key → *instance, for docs
	count     atomic.Int32 // instances
	nonPlain  atomic.Int32 // instances not reached over plain http://
	retired   atomic.Bool  // replaced by a reload; closed
}

// openFor is how long an open breaker stays open: the Retry-After hint
// when every instance is ejected.
func (u *upstream) openFor() time.Duration {
	if u.cfg.Breaker.Open > 0 {
		return u.cfg.Breaker.Open
	}
	return 5 * time.Second
}

func newInstance(raw string, bc BreakerConfig, onChange func(from, to gobreaker.State)) (*instance, error) {
	key := raw
	if !strings.Contains(key, "://") {
		key = "http://" + key
	}
	u, err := url.Parse(key)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("bad instance %q", raw)
	}
	failures := bc.Failures
	if failures == 0 {
		failures = 5
	}
	open := bc.Open
	if open == 0 {
		open = 5 * time.Second
	}
	in := &instance{url: u, key: key}
	in.cb = gobreaker.NewTwoStepCircuitBreaker[struct{}](gobreaker.Settings{
		Name:        key,
		MaxRequests: 1,
		Timeout:     open,
		ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= failures },
		IsExcluded:  func(err error) bool { return err == errClientGone },
		OnStateChange: func(_ string, from, to gobreaker.State) {
			if onChange != nil {
				onChange(from, to)
			}
		},
	})
	return in, nil
}

// start builds the balancer over the instancer.
func (u *upstream) start() {
	u.bal = lb.New(u.instancer, u.factory, lb.P2C(), lb.Options{
		FailurePenalty: time.Second,
		IsConnError:    func(err error) bool { return err == errBreakerOpen || lb.IsConnError(err) },
		Logger:         u.g.logger,
	})
}

// factory makes the endpoint for one instance: a proxied exchange guarded
// by the instance's breaker. The balancer wraps it to measure latency and
// count failures; it closes the returned closer when the instance leaves.
func (u *upstream) factory(addr string) (endpoint.Endpoint, io.Closer, error) {
	in, err := newInstance(addr, u.cfg.Breaker, u.breakerChanged)
	if err != nil {
		return nil, nil, err
	}
	u.instances.Store(in.key, in)
	u.count.Add(1)
	plain := in.url.Scheme == "http"
	if !plain {
		u.nonPlain.Add(1)
	}
	ep := func(ctx context.Context, req any) (any, error) {
		a, ok := req.(*attempt)
		if !ok {
			return nil, fmt.Errorf("gateway: endpoint got %T, want *attempt", req)
		}
		return nil, u.g.exchange(ctx, a, in)
	}
	return ep, closerFunc(func() error {
		u.instances.CompareAndDelete(in.key, in)
		u.count.Add(-1)
		if !plain {
			u.nonPlain.Add(-1)
		}
		if in.open() {
			u.breakerChanged(gobreaker.StateOpen, gobreaker.StateClosed)
		}
		return nil
	}), nil
}

// plain reports whether every instance is reached over cleartext
// HTTP/1.1, which the gateway's fast lane speaks.
func (u *upstream) plain() bool { return !u.cfg.H2C && u.nonPlain.Load() == 0 }

type closerFunc func() error

func (f closerFunc) Close() error { return f() }

func (u *upstream) breakerChanged(from, to gobreaker.State) {
	if u.m == nil {
		return
	}
	switch {
	case to == gobreaker.StateOpen:
		u.m.open.Inc()
	case from == gobreaker.StateOpen:
		u.m.open.Dec()
	}
}

func (u *upstream) close() {
	u.retired.Store(true)
	u.bal.Close()
	if u.owned {
		u.instancer.Stop()
	}
}

// anyInstance returns an instance whose breaker is closed, or nil.
func (u *upstream) anyInstance() *instance {
	var found *instance
	u.instances.Range(func(_, v any) bool {
		if in := v.(*instance); !in.open() {
			found = in
			return false
		}
		return true
	})
	return found
}

// newRetryBudget returns an upstream's retry budget: 0.2 retries per
// request plus a reserve of 1 per second, both over middleware/retry's
// 10 s window.
func newRetryBudget() *retrybudget.Budget { return retrybudget.New(0.2, 1) }

// WaitForInstances blocks until every discovered service's instancer has
// reported its first set (instancers with a Synced method, as Gantry's
// discovery backends have) and the balancer holds the instances of that
// set, or until ctx ends: then it returns ctx.Err() naming the services
// still empty. Before that a request finds no instance and gets 503; the
// command waits here, bounded, before it serves.
func (g *Gateway) WaitForInstances(ctx context.Context) error {
	t := g.table.Load()
	if t == nil {
		return nil
	}
	var waiting []string
	for name, u := range t.ups {
		if !u.waitSynced(ctx) {
			waiting = append(waiting, name)
		}
	}
	if len(waiting) > 0 {
		slices.Sort(waiting)
		return fmt.Errorf("gateway: no instances known yet for %s: %w", strings.Join(waiting, ", "), ctx.Err())
	}
	return nil
}

// waitSynced reports whether u's instancer has synced and its balancer has
// caught up with the first set, waiting for both until ctx ends.
func (u *upstream) waitSynced(ctx context.Context) bool {
	s, ok := u.instancer.(interface {
		Synced() <-chan struct{}
		Instances() []discovery.Instance
	})
	if !ok {
		return true // static URLs, or an instancer that cannot say
	}
	select {
	case <-s.Synced():
	case <-ctx.Done():
		return false
	}
	if len(s.Instances()) == 0 {
		return true // synced, and empty: nothing to wait for
	}
	t := time.NewTicker(2 * time.Millisecond)
	defer t.Stop()
	for u.count.Load() == 0 { // the balancer builds endpoints from its own copy of the event
		select {
		case <-t.C:
		case <-ctx.Done():
			return false
		}
	}
	return true
}
