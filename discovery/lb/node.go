package lb

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gantrykit/gantry/errs"
	"github.com/go-kit/kit/endpoint"
)

// node is one instance: its endpoint, wrapped to measure calls, its Load,
// and its ejection state.
type node struct {
	addr   string
	inner  endpoint.Endpoint
	ep     endpoint.Endpoint // inner wrapped by call; built once
	closer io.Closer
	b      *Balancer
	load   *Load

	ejectedUntil atomic.Int64 // nanoseconds on b's clock; 0 when not ejected

	mu        sync.Mutex
	connFails int
	backoff   time.Duration
}

func newNode(b *Balancer, addr string, ep endpoint.Endpoint, c io.Closer) *node {
	n := &node{addr: addr, inner: ep, closer: c, b: b, load: NewLoad(b.opts)}
	n.ep = n.call
	return n
}

func (n *node) call(ctx context.Context, req any) (any, error) {
	n.load.Start()
	start := n.b.now()
	resp, err := n.inner(ctx, req)
	end := n.b.now()
	n.observe(end, end-start, err)
	return resp, err
}

// observe records one call's outcome. Errors that blame the caller (not
// found, invalid argument, canceled) count as successes: the instance
// answered.
func (n *node) observe(now, rtt int64, err error) {
	n.load.Finish(now, rtt, err != nil && !errs.KindOf(err).CallerFault())
	n.mu.Lock()
	defer n.mu.Unlock()
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
