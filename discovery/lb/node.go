package lb

import (
	"context"
	"errors"
	"io"
	"math"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gantrykit/gantry/errs"
	"github.com/go-kit/kit/endpoint"
)

// node is one instance: its endpoint, wrapped to measure calls, and the
// statistics the policies read.
type node struct {
	addr   string
	inner  endpoint.Endpoint
	ep     endpoint.Endpoint // inner wrapped by call; built once
	closer io.Closer
	b      *Balancer

	pending      atomic.Int64
	ejectedUntil atomic.Int64 // nanoseconds on b's clock; 0 when not ejected

	// cost (float64 bits: peak EWMA of latency in nanoseconds) and stamp
	// (when cost was last updated) are written under mu and read without
	// it: a pick may see one updated before the other, which only blurs a
	// heuristic.
	cost  atomic.Uint64
	stamp atomic.Int64

	mu        sync.Mutex
	connFails int
	backoff   time.Duration
}

func newNode(b *Balancer, addr string, ep endpoint.Endpoint, c io.Closer) *node {
	n := &node{addr: addr, inner: ep, closer: c, b: b}
	n.ep = n.call
	return n
}

func (n *node) call(ctx context.Context, req any) (any, error) {
	n.pending.Add(1)
	start := n.b.now()
	resp, err := n.inner(ctx, req)
	end := n.b.now()
	n.pending.Add(-1)
	n.observe(end, end-start, err)
	return resp, err
}

// observe records one call's outcome. Errors that blame the caller (not
// found, invalid argument, canceled) count as successes: the instance
// answered.
func (n *node) observe(now, rtt int64, err error) {
	failed := err != nil && !errs.KindOf(err).CallerFault()
	if failed {
		rtt = max(rtt, int64(n.b.opts.FailurePenalty))
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	cost, stamp := n.decayed(now), n.stamp.Load()
	if r := float64(rtt); r > cost {
		cost = r // peak: jump up at once
	} else {
		w := decay(float64(now-stamp) / float64(n.b.opts.Decay))
		cost = cost*w + r*(1-w)
	}
	n.cost.Store(math.Float64bits(cost))
	n.stamp.Store(now)
	if err == nil || !n.b.opts.IsConnError(err) {
		// The instance answered: whatever it said, it is reachable.
		n.connFails, n.backoff = 0, 0
		n.ejectedUntil.Store(0)
		return
	}
	n.connFails++
	if n.connFails >= n.b.opts.EjectAfter {
		n.backoff = min(max(2*n.backoff, n.b.opts.EjectBackoff), 32*n.b.opts.EjectBackoff)
		n.ejectedUntil.Store(now + int64(n.backoff))
		n.connFails = n.b.opts.EjectAfter - 1 // one more failure after the back-off ejects again
	}
}

// decayed is cost decayed toward zero since the last observation.
func (n *node) decayed(now int64) float64 {
	cost, stamp := math.Float64frombits(n.cost.Load()), n.stamp.Load()
	if cost == 0 || now <= stamp {
		return cost
	}
	return cost * decay(float64(now-stamp)/float64(n.b.opts.Decay))
}

// decay is exp(-x) for x ≥ 0. Picks mostly see x ≪ 1 (milliseconds since
// the last call against a decay of seconds), where a Taylor polynomial is
// exact to 1e-6 and four times cheaper than math.Exp.
func decay(x float64) float64 {
	if x < 1.0/16 {
		return 1 - x*(1-x*(0.5-x/6))
	}
	return math.Exp(-x)
}

// load is the P2C cost of sending one more call here.
func (n *node) load(now int64) float64 {
	cost := n.decayed(now)
	pending := n.pending.Load()
	if cost == 0 && pending > 0 {
		// No latency known yet and calls in flight: do not pile onto it,
		// but rank it below a node that has just failed, whose cost is the
		// whole failure penalty. Equal to it, a fresh instance whose first
		// calls are still on their way lost every pick to an instance
		// failing fast until those calls came back.
		return float64(n.b.opts.FailurePenalty)/2 + float64(pending)
	}
	return cost * float64(pending+1)
}

// ejected reads the clock only if the node was ejected at some point.
func (n *node) ejected() bool {
	u := n.ejectedUntil.Load()
	return u != 0 && n.b.now() < u
}

// IsConnError is the default Options.IsConnError: the call surely failed to
// reach the instance (connection refused, a dial error, no route).
func IsConnError(err error) bool {
	if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ENETUNREACH) {
		return true
	}
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}
