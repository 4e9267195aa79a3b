package grpcclient

import (
	"errors"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/sony/gobreaker/v2"
	"google.golang.org/grpc/balancer"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/gantrykit/gantry/discovery/lb"
	"github.com/gantrykit/gantry/errs"
)

// stateKey keys a connection's *connState in its resolver state's
// attributes.
type stateKey struct{}

// connState is what one connection's balancer keeps across pickers and
// across rebuilds (grpc-go rebuilds the balancer when an idle connection
// wakes): the configuration and the statistics and breaker of each
// instance, by address.
type connState struct {
	cfg   config
	epoch time.Time

	mu        sync.Mutex
	instances map[string]*instanceStats
}

// instanceStats are one instance's peak-EWMA load and circuit breaker
// (nil when breakers are off).
type instanceStats struct {
	load    *lb.Load
	breaker *gobreaker.TwoStepCircuitBreaker[any]
}

func newConnState(cfg config) *connState {
	return &connState{cfg: cfg, epoch: time.Now(), instances: map[string]*instanceStats{}}
}

func (s *connState) now() int64 { return int64(time.Since(s.epoch)) }

// stats returns the statistics of addr, made on first use.
func (s *connState) stats(addr string) *instanceStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.instances[addr]; ok {
		return st
	}
	st := &instanceStats{load: lb.NewLoad(s.cfg.lb)}
	if s.cfg.breaker {
		st.breaker = newBreaker(addr, s.cfg)
	}
	s.instances[addr] = st
	return st
}

// keep forgets the instances that discovery no longer lists.
func (s *connState) keep(addrs []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	live := make(map[string]bool, len(addrs))
	for _, a := range addrs {
		live[a] = true
	}
	for a := range s.instances {
		if !live[a] {
			delete(s.instances, a)
		}
	}
}

// Errors that say nothing about an instance's health: a caller that gave up
// or ran out of its own time, and a pick abandoned before the call left.
var (
	errCallerGone = errors.New("grpcclient: the caller's context ended")
	errNotSent    = errors.New("grpcclient: the call was not sent")
)

// newBreaker is a classic breaker with the thresholds of
// middleware/breaker: open after 5 failures in a row or half of at least
// 20 calls in a 10 s window failing; probe after 10 s with 5 calls. Only
// server faults count (errs.Kind.CallerFault).
func newBreaker(addr string, cfg config) *gobreaker.TwoStepCircuitBreaker[any] {
	t := cfg.trip
	return gobreaker.NewTwoStepCircuitBreaker[any](gobreaker.Settings{
		Name:         addr,
		MaxRequests:  t.halfOpen,
		Interval:     t.window,
		BucketPeriod: max(t.window/10, time.Millisecond),
		Timeout:      t.openTimeout,
		ReadyToTrip: func(n gobreaker.Counts) bool {
			return n.ConsecutiveFailures >= t.consecutive ||
				n.Requests >= t.minRequests && float64(n.TotalFailures) >= t.ratio*float64(n.Requests)
		},
		IsSuccessful: func(err error) bool { return !serverFault(err) },
		IsExcluded:   func(err error) bool { return err == errCallerGone || err == errNotSent },
	})
}

// serverFault reports whether err, a call's gRPC error, blames the
// instance rather than the caller.
func serverFault(err error) bool {
	return err != nil && !errs.KindFromGRPC(uint32(status.Code(err))).CallerFault()
}

// pickEndpoint is one ready instance: its pick-first child's picker and
// its statistics.
type pickEndpoint struct {
	picker balancer.Picker
	stats  *instanceStats
}

// picker is power of two choices over peak-EWMA latency × (calls in flight
// + 1), skipping instances whose breaker is open.
type picker struct {
	eps []pickEndpoint
	st  *connState
}

// errAllOpen fails a call at once when every ready instance's breaker
// refuses it.
var errAllOpen = status.Error(codes.Unavailable, "grpcclient: the circuit breaker of every instance is open")

func (p *picker) Pick(info balancer.PickInfo) (balancer.PickResult, error) {
	now := p.st.now()
	e, done := p.choose(now)
	if e == nil {
		return balancer.PickResult{}, errAllOpen
	}
	res, err := e.picker.Pick(info)
	if err != nil {
		if done != nil {
			done(errNotSent)
		}
		return res, err
	}
	load, ctx, inner := e.stats.load, info.Ctx, res.Done
	load.Start()
	res.Done = func(d balancer.DoneInfo) {
		end := p.st.now()
		gone := ctx.Err() != nil
		load.Finish(end, end-now, !gone && serverFault(d.Err))
		if done != nil {
			if gone {
				done(errCallerGone)
			} else {
				done(d.Err)
			}
		}
		if inner != nil {
			inner(d)
		}
	}
	return res, nil
}

// choose picks two distinct instances at random and returns the cheaper
// one that its breaker lets through, with the breaker's done func; if both
// refuse, the first one from a random start that accepts; nil if none.
func (p *picker) choose(now int64) (*pickEndpoint, func(error)) {
	n := len(p.eps)
	r := rand.Uint64()
	i := int((r >> 32) % uint64(n))
	if n > 1 {
		j := int((r & 0xffffffff) % uint64(n-1))
		if j >= i {
			j++
		}
		x, y := &p.eps[i], &p.eps[j]
		if y.stats.load.Cost(now) < x.stats.load.Cost(now) {
			x, y = y, x
		}
		for _, e := range [2]*pickEndpoint{x, y} {
			if done, ok := allow(e); ok {
				return e, done
			}
		}
	}
	for k := range n {
		e := &p.eps[(i+k)%n]
		if done, ok := allow(e); ok {
			return e, done
		}
	}
	return nil, nil
}

func allow(e *pickEndpoint) (func(error), bool) {
	if e.stats.breaker == nil {
		return nil, true
	}
	done, err := e.stats.breaker.Allow()
	return done, err == nil
}
