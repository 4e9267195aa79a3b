package lb

import (
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-kit/kit/endpoint"
	"github.com/go-kit/kit/sd"
	kitlb "github.com/go-kit/kit/sd/lb"
)

// Options tunes a Balancer. The zero value is the default.
type Options struct {
	// Decay is the time constant over which P2C forgets latency (default
	// 10s, as Finagle).
	Decay time.Duration
	// FailurePenalty is the latency a failed call counts as for P2C
	// (default 1s), so an instance answering fast errors is avoided.
	FailurePenalty time.Duration
	// EjectAfter consecutive connection failures eject an instance
	// (default 5).
	EjectAfter int
	// EjectBackoff is the first ejection's length; each further ejection
	// doubles it, up to 32× (default 1s).
	EjectBackoff time.Duration
	// IsConnError reports whether an error means the call never reached
	// the instance (default IsConnError).
	IsConnError func(error) bool
	// PerInstance, if set, wraps each instance's endpoint when it is built:
	// the place for a circuit breaker per instance. Its errors count like
	// the instance's own, so an open breaker (an Unavailable error) steers
	// P2C away from the instance.
	PerInstance func(instance string) endpoint.Middleware
	// Logger receives factory errors (default: discard).
	Logger *slog.Logger
}

// Balancer spreads calls over the instances of an sd.Instancer. It
// implements go-kit's lb.Balancer and is safe for concurrent use. It owns a
// goroutine that follows the instancer; Close stops it and closes the
// endpoints.
type Balancer struct {
	policy  Policy
	factory sd.Factory
	opts    Options
	epoch   time.Time
	clock   func() int64 // tests only; nil means time since epoch
	rr      atomic.Uint64
	nodes   atomic.Pointer[[]*node]

	instancer sd.Instancer
	events    chan sd.Event
	done      chan struct{}
	closeOnce sync.Once
}

// New returns a Balancer over instancer that builds an endpoint per
// instance with factory and picks with policy. The first set of instances
// is in place when New returns.
func New(instancer sd.Instancer, factory sd.Factory, policy Policy, opts Options) *Balancer {
	opts = opts.withDefaults()
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if policy.pick == nil {
		policy = P2C()
	}
	b := &Balancer{
		policy: policy, factory: factory, opts: opts, epoch: time.Now(),
		instancer: instancer, events: make(chan sd.Event, 1), done: make(chan struct{}),
	}
	b.nodes.Store(&[]*node{})
	instancer.Register(b.events) // sends the current set into the buffer
	b.apply(<-b.events)
	go b.run()
	return b
}

func (b *Balancer) now() int64 {
	if b.clock != nil {
		return b.clock()
	}
	return int64(time.Since(b.epoch))
}

// Endpoint implements go-kit's lb.Balancer. It returns lb.ErrNoEndpoints
// when there is no instance.
func (b *Balancer) Endpoint() (endpoint.Endpoint, error) {
	nodes := *b.nodes.Load()
	if len(nodes) == 0 {
		return nil, kitlb.ErrNoEndpoints
	}
	return b.policy.pick(b, nodes).ep, nil
}

// pickRetry is Endpoint for Retry's next attempt: the policy picks among
// the live instances this call has not tried, or, when none is left,
// among all of them as for a first attempt. A retry must not depend on
// P2C's costs to leave the instance that just failed: under load a healthy
// instance's peak latency × calls in flight can exceed the failure penalty
// of one that refuses connections.
func (b *Balancer) pickRetry(tried []*node) (*node, error) {
	nodes := *b.nodes.Load()
	if len(nodes) == 0 {
		return nil, kitlb.ErrNoEndpoints
	}
	if len(tried) > 0 {
		rest := make([]*node, 0, len(nodes))
		for _, n := range nodes {
			if !slices.Contains(tried, n) && !n.ejected() {
				rest = append(rest, n)
			}
		}
		if len(rest) > 0 {
			nodes = rest
		}
	}
	return b.policy.pick(b, nodes), nil
}

func (b *Balancer) run() {
	defer close(b.done)
	for ev := range b.events {
		b.apply(ev)
	}
}

// apply installs a new set of instances, keeping the statistics of those
// that stay. An event with an error keeps the current set (fail static).
func (b *Balancer) apply(ev sd.Event) {
	if ev.Err != nil {
		return
	}
	old := *b.nodes.Load()
	byAddr := make(map[string]*node, len(old))
	for _, n := range old {
		byAddr[n.addr] = n
	}
	next := make([]*node, 0, len(ev.Instances))
	for _, addr := range slices.Compact(slices.Sorted(slices.Values(ev.Instances))) {
		if n, ok := byAddr[addr]; ok {
			next = append(next, n)
			delete(byAddr, addr)
			continue
		}
		ep, c, err := b.factory(addr)
		if err != nil {
			b.opts.Logger.Warn("lb: factory failed; instance skipped", "instance", addr, "err", err)
			continue
		}
		if b.opts.PerInstance != nil {
			ep = b.opts.PerInstance(addr)(ep)
		}
		next = append(next, newNode(b, addr, ep, c))
	}
	b.nodes.Store(&next)
	for _, n := range byAddr {
		if n.closer != nil {
			_ = n.closer.Close()
		}
	}
}

// Close stops following the instancer and closes every endpoint's closer.
// It does not stop the instancer, which the caller owns. Endpoint returns
// lb.ErrNoEndpoints after Close.
func (b *Balancer) Close() {
	b.closeOnce.Do(func() {
		b.instancer.Deregister(b.events)
		close(b.events)
		<-b.done
		b.apply(sd.Event{Instances: []string{}})
	})
}
