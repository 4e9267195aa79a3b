package gateway

import (
	"fmt"
	"math"
	"math/rand/v2"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-kit/kit/sd"
	"github.com/sony/gobreaker/v2"
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

// instance is one upstream address with its breaker and load estimate.
type instance struct {
	url *url.URL
	key string
	cb  *gobreaker.TwoStepCircuitBreaker[struct{}]

	inflight atomic.Int64
	mu       sync.Mutex
	ewma     float64 // peak EWMA of time to response headers, seconds
	stamp    time.Time
}

const ewmaDecay = 10 * time.Second // the EWMA's time constant

// observe folds one response time into the peak EWMA: a slower sample is
// taken at once, faster ones decay in.
func (in *instance) observe(rtt time.Duration, now time.Time) {
	s := rtt.Seconds()
	in.mu.Lock()
	if s > in.ewma {
		in.ewma = s
	} else {
		w := math.Exp(-float64(now.Sub(in.stamp)) / float64(ewmaDecay))
		in.ewma = in.ewma*w + s*(1-w)
	}
	in.stamp = now
	in.mu.Unlock()
}

// cost is the P2C score: latency estimate times outstanding requests.
func (in *instance) cost() float64 {
	in.mu.Lock()
	e := in.ewma
	in.mu.Unlock()
	return (e + 1e-6) * float64(in.inflight.Load()+1)
}

func (in *instance) open() bool { return in.cb.State() == gobreaker.StateOpen }

// upstream is one service: its instances, proxy and retry budget.
type upstream struct {
	name   string
	cfg    ServiceConfig
	proxy  *httputil.ReverseProxy
	budget retryBudget
	m      *upstreamMetrics

	set       atomic.Pointer[[]*instance]
	instancer sd.Instancer // nil for static URL lists
	events    chan sd.Event
	done      chan struct{}
	lastErr   atomic.Pointer[error]
}

func newInstance(raw string, bc BreakerConfig, onChange func(from, to gobreaker.State)) (*instance, error) {
	if !strings.Contains(raw, "://") {
		raw = "http://" + raw
	}
	u, err := url.Parse(raw)
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
	in := &instance{url: u, key: raw, stamp: time.Now()}
	in.cb = gobreaker.NewTwoStepCircuitBreaker[struct{}](gobreaker.Settings{
		Name:        raw,
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

// update replaces the instance set, keeping the state of instances that
// stay. Bad entries are skipped.
func (u *upstream) update(addrs []string) {
	old := map[string]*instance{}
	if cur := u.set.Load(); cur != nil {
		for _, in := range *cur {
			old[in.key] = in
		}
	}
	next := make([]*instance, 0, len(addrs))
	for _, a := range addrs {
		key := a
		if !strings.Contains(key, "://") {
			key = "http://" + key
		}
		if in, ok := old[key]; ok {
			next = append(next, in)
			continue
		}
		in, err := newInstance(a, u.cfg.Breaker, u.breakerChanged)
		if err != nil {
			continue
		}
		next = append(next, in)
	}
	u.set.Store(&next)
}

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

// watch follows the instancer until close.
func (u *upstream) watch() {
	defer close(u.done)
	for ev := range u.events {
		if ev.Err != nil {
			err := ev.Err
			u.lastErr.Store(&err)
			continue // keep the last good set, as sd.Event advises
		}
		u.update(ev.Instances)
	}
}

func (u *upstream) close() {
	if u.instancer == nil {
		return
	}
	u.instancer.Deregister(u.events)
	u.instancer.Stop()
	close(u.events)
	<-u.done
}

// pick chooses an instance by power of two choices over peak-EWMA cost,
// skipping instances in tried and those whose breaker is open. It returns
// nil when none is left; anyOpen tells whether breakers caused that.
func (u *upstream) pick(tried []*instance) (in *instance, anyOpen bool) {
	set := u.set.Load()
	if set == nil || len(*set) == 0 {
		return nil, false
	}
	all := *set
	n := len(all)
	usable := func(c *instance) bool {
		if containsInst(tried, c) {
			return false
		}
		if c.open() {
			anyOpen = true
			return false
		}
		return true
	}
	if n == 1 {
		if usable(all[0]) {
			return all[0], false
		}
		return nil, anyOpen
	}
	i := rand.IntN(n)
	j := rand.IntN(n - 1)
	if j >= i {
		j++
	}
	a, b := all[i], all[j]
	okA, okB := usable(a), usable(b)
	switch {
	case okA && okB:
		if b.cost() < a.cost() {
			return b, anyOpen
		}
		return a, anyOpen
	case okA:
		return a, anyOpen
	case okB:
		return b, anyOpen
	}
	for k := 0; k < n; k++ { // both draws unusable: take any usable one
		if c := all[(i+k)%n]; usable(c) {
			return c, anyOpen
		}
	}
	return nil, anyOpen
}

func containsInst(list []*instance, in *instance) bool {
	for _, x := range list {
		if x == in {
			return true
		}
	}
	return false
}

// retryBudget allows retries up to a fraction of recent first attempts:
// each request deposits ratio tokens, each retry spends one, and the
// balance is capped so a burst of failures cannot retry without bound.
type retryBudget struct {
	milli atomic.Int64 // tokens × 1000
}

const (
	budgetDeposit = 200    // 0.2 retries per request
	budgetCap     = 10_000 // at most 10 retries banked
)

func (b *retryBudget) deposit() {
	if b.milli.Load() < budgetCap {
		b.milli.Add(budgetDeposit)
	}
}

func (b *retryBudget) withdraw() bool {
	if b.milli.Add(-1000) >= 0 {
		return true
	}
	b.milli.Add(1000)
	return false
}
