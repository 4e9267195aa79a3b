package grpcclient

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/go-kit/kit/sd"
	"google.golang.org/grpc/attributes"
	"google.golang.org/grpc/resolver"

	"github.com/gantrykit/gantry/discovery"
)

// scheme is the target scheme of the resolver; it is registered on each
// connection alone (grpc.WithResolvers), never process-wide.
const scheme = "gantry"

// builder is the resolver.Builder of one connection: every resolver it
// builds (grpc-go builds one when the connection leaves idle) follows the
// instancer lookup returns.
type builder struct {
	lookup    Lookup
	owned     bool   // stop each looked-up instancer when the resolver closes
	transport string // the Transports entry to dial
	state     *connState
	logger    *slog.Logger
}

func (b *builder) Scheme() string { return scheme }

func (b *builder) Build(_ resolver.Target, cc resolver.ClientConn, _ resolver.BuildOptions) (resolver.Resolver, error) {
	ctx, cancel := context.WithCancel(context.Background())
	r := &instResolver{b: b, cc: cc, cancel: cancel, now: make(chan struct{}, 1), done: make(chan struct{})}
	go r.run(ctx)
	return r, nil
}

// instResolver turns an instancer's events into resolver states. One
// goroutine, started by Build and stopped by Close, owns the subscription.
type instResolver struct {
	b      *builder
	cc     resolver.ClientConn
	cancel context.CancelFunc
	now    chan struct{} // ResolveNow: retry a failed lookup at once
	done   chan struct{}
	once   sync.Once
}

// ResolveNow asks for a new lookup if the last one failed; a followed
// instancer pushes its changes without being asked.
func (r *instResolver) ResolveNow(resolver.ResolveNowOptions) {
	select {
	case r.now <- struct{}{}:
	default:
	}
}

func (r *instResolver) Close() {
	r.once.Do(func() {
		r.cancel()
		<-r.done
	})
}

func (r *instResolver) run(ctx context.Context) {
	defer close(r.done)
	inst := r.lookupUntilFound(ctx)
	if inst == nil {
		return // closed
	}
	if r.b.owned {
		defer inst.Stop()
	}
	if !waitSynced(ctx, inst) {
		return // closed
	}
	events := make(chan sd.Event, 1)
	inst.Register(events)
	defer func() {
		// Deregister while still reading: a Cache sends under its lock.
		stopped := make(chan struct{})
		go func() { inst.Deregister(events); close(stopped) }()
		for {
			select {
			case <-events:
			case <-stopped:
				return
			}
		}
	}()
	var last []string
	for {
		select {
		case <-ctx.Done():
			return
		case ev := <-events:
			last = r.update(inst, ev, last)
		}
	}
}

// waitSynced waits, up to syncWait, until an instancer that says when its
// backend first reported (discovery.Cache.Synced) has done so, so that the
// empty set it holds before does not fail the first calls: until the
// connection has a set, grpc-go holds calls (up to their deadline). It
// reports false if ctx ended.
func waitSynced(ctx context.Context, inst sd.Instancer) bool {
	s, ok := inst.(interface{ Synced() <-chan struct{} })
	if !ok {
		return true
	}
	t := time.NewTimer(syncWait)
	defer t.Stop()
	select {
	case <-s.Synced():
	case <-t.C:
	case <-ctx.Done():
		return false
	}
	return true
}

// syncWait bounds waitSynced: a registry that never answers is then taken
// as empty, and calls fail with Unavailable.
const syncWait = 5 * time.Second

// lookupUntilFound calls lookup until it succeeds or ctx ends, reporting
// each failure to the connection (whose calls fail with Unavailable
// meanwhile) and waiting for ResolveNow or a back-off of up to 5 s.
func (r *instResolver) lookupUntilFound(ctx context.Context) sd.Instancer {
	wait := 100 * time.Millisecond
	for {
		inst, err := r.b.lookup(ctx)
		if err == nil && inst != nil {
			return inst
		}
		if err == nil {
			err = errNilInstancer
		}
		r.cc.ReportError(err)
		r.b.logger.Warn("grpcclient: discovery lookup failed; retrying", "err", err, "retry_in", wait)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-r.now:
			t.Stop()
		case <-t.C:
		}
		wait = min(2*wait, 5*time.Second)
	}
}

// update hands the connection the addresses of ev and returns them. An
// event with an error keeps the last set (discovery is fail-static); it
// reaches the connection only while there is no set at all.
func (r *instResolver) update(inst sd.Instancer, ev sd.Event, last []string) []string {
	if ev.Err != nil {
		if len(last) == 0 {
			r.cc.ReportError(ev.Err)
		}
		return last
	}
	addrs := addresses(inst, ev, r.b.transport)
	if last != nil && slices.Equal(addrs, last) {
		return last
	}
	eps := make([]resolver.Endpoint, len(addrs))
	for i, a := range addrs {
		eps[i] = resolver.Endpoint{Addresses: []resolver.Address{{Addr: a}}}
	}
	// The balancer finds this connection's options and statistics in the
	// state's attributes: nothing is shared between connections.
	_ = r.cc.UpdateState(resolver.State{Endpoints: eps, Attributes: attributes.New(stateKey{}, r.b.state)})
	return addrs
}

// addresses are the dialable addresses of ev: the transport's entry of each
// instance when inst reports full records, else the published addresses.
// They are sorted and unique.
func addresses(inst sd.Instancer, ev sd.Event, transport string) []string {
	out := []string{}
	if di, ok := inst.(discovery.Instancer); ok {
		for _, in := range di.Instances() {
			if a := in.Transports[transport]; a != "" {
				out = append(out, a)
			}
		}
	} else {
		out = append(out, ev.Instances...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
