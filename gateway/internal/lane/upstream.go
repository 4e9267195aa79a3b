package lane

import (
	"context"
	"errors"
	"net"
	"strconv"
	"time"

	"github.com/gantrykit/gantry/gateway/internal/edge"
)

// Exchange describes one upstream attempt for Request.Exchange. The
// gateway fills one per attempt and may reuse it.
type Exchange struct {
	Addr         string    // the instance's host:port: dialled, and sent as Host
	Path         string    // the path the instance receives
	Query        string    // the instance's own raw query, sent before the client's
	Start        time.Time // when the attempt started
	HeadDeadline time.Time // the answer's head must have come by then
	Deadline     time.Time // the route's end: it bounds the rest of the answer
	RequestID    string    // the answer's X-Request-Id
	// Replayable tells that the request may be sent again (idempotent, or
	// with an Idempotency-Key): a reused connection that fails before any
	// answer is then replaced by a new one. A request that is not goes
	// only on a connection checked to be open, and its failure is final.
	Replayable bool
	// DropAuthorization leaves the client's Authorization field out.
	DropAuthorization bool
	// Fields appends the gateway's own fields (forwarding, request id,
	// timeout, claims, trace context), each line ending in CRLF. The lane
	// never passes a client's copy of those on.
	Fields func(b []byte) []byte
	// MayRetry is asked when the instance answers 502, 503 or 504; true
	// turns the answer into Result.Retry, relayed to nobody.
	MayRetry func() bool
}

// Result is what came of an Exchange.
type Result struct {
	Status     int   // the instance's status, 0 when no answer came
	Overloaded bool  // 503 or 429 with Retry-After: the instance sheds load
	Retry      bool  // a 502/503/504 that MayRetry took: nothing was relayed
	Committed  bool  // the client has the answer's head: no retry, no answer of the gateway's own
	Err        error // nil when the whole answer was relayed
}

// Errors of an exchange, besides the network's own (a timeout is a
// net.Error whose Timeout is true).
var (
	ErrClientGone       = errors.New("client went away")
	ErrUpstreamHead     = errors.New("upstream sent a malformed response head")
	ErrUpstreamHeadSize = errors.New("upstream response head larger than the read buffer")
	ErrUpstreamFraming  = errors.New("upstream sent a body the gateway cannot frame")
	ErrRetryableStatus  = errors.New("upstream answered 502, 503 or 504")
	errBadPath          = errors.New("upstream path with control bytes or spaces")
)

// clientCheck is how long the lane waits on an upstream's answer before it
// looks whether the client is still there, and again after each look. A
// client that hung up ends the attempt and closes the upstream connection,
// as net/http's front cancels the request when its client goes: the
// instance stops working for nobody. Only answers slower than this pay
// for the look.
const clientCheck = 250 * time.Millisecond

// Exchange sends r to the instance x names and relays its answer to the
// client. A reused keep-alive connection that fails before any answer (the
// instance closed it while idle) is replaced once more by a new one when
// x.Replayable.
func (r *Request) Exchange(x *Exchange) Result {
	pool := r.c.l.pool
	for _, ch := range []byte(x.Path) {
		if ch <= ' ' || ch == 0x7f {
			return Result{Err: errBadPath}
		}
	}
	for {
		var res Result
		c, reused := pool.get(x.Addr, x.Start), true
		if c == nil {
			reused = false
			ctx, cancel := context.WithDeadline(context.Background(), x.HeadDeadline)
			var err error
			c, err = pool.dial(ctx, x.Addr)
			cancel()
			if err != nil {
				return Result{Err: err}
			}
		}
		// The read deadline bounds the wait for the answer, in steps of
		// clientCheck (see roundTrip); a write that cannot finish at once
		// gets the attempt's deadline (sendThenRead). The first step counts
		// from now, not from x.Start: an attempt that began longer ago than
		// that (its goroutine waited for a core, its admission was slow)
		// would find the deadline passed, and a socket whose read deadline
		// has passed refuses the send itself.
		c.setReadDeadline(earlier(x.HeadDeadline, time.Now().Add(clientCheck)), min(10*time.Millisecond, x.HeadDeadline.Sub(x.Start)/32))
		r.c.up.Store(c)
		stale, err := r.roundTrip(c, x, &res)
		r.c.up.Store(nil)
		res.Committed = r.committed
		if err == nil {
			return res
		}
		c.nc.Close()
		if stale && reused && x.Replayable {
			continue
		}
		if r.committed {
			r.broken = true // the client has part of an answer: end its connection
		}
		if errors.Is(err, ErrClientGone) {
			r.gone = true
		}
		res.Err = err
		return res
	}
}

// earlier returns the earlier of a and b.
func earlier(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// setReadDeadline sets c's read deadline to d, unless the one it has is
// already no later than d and at most slack earlier: a connection in
// steady use then keeps its timer instead of moving it per request. A
// deadline that fires early is a look at the client (roundTrip), after
// which the wait goes on until the attempt's own deadline.
func (c *upConn) setReadDeadline(d time.Time, slack time.Duration) {
	if !d.IsZero() && !c.rdl.IsZero() && !c.rdl.After(d) && d.Sub(c.rdl) <= slack {
		return
	}
	c.rdl = d
	_ = c.nc.SetReadDeadline(d)
}

// roundTrip sends the request on c and relays the answer. stale reports
// that c failed before a single byte came back: a connection the instance
// closed while it sat idle in the pool.
func (r *Request) roundTrip(c *upConn, x *Exchange, res *Result) (stale bool, err error) {
	r.send(c.out, x)
	c.out.nc, c.out.deadline = c.nc, x.HeadDeadline
	err = c.out.sendThenRead(c.rc, c.in, false)
	for err != nil && c.out.err == nil && c.in.Buffered() == 0 && isTimeout(err) {
		// Sent, and no answer yet: unless the attempt's time is up, the
		// deadline was a look at the client (clientCheck).
		now := time.Now()
		if !now.Before(x.HeadDeadline) {
			break
		}
		if r.c.hungUp() {
			return false, ErrClientGone
		}
		c.in.err = nil
		c.setReadDeadline(earlier(x.HeadDeadline, now.Add(clientCheck)), 0)
		err = c.in.fill()
	}
	if err != nil {
		return c.in.Buffered() == 0 && !isTimeout(err), err
	}
	return r.receive(c, x, res)
}

// send buffers the upstream request in w. The lane writes the request
// line, Host and the framing itself; of the client's fields it passes on
// those the gateway's one policy forwards (edge.ForwardRequestField:
// end-to-end fields Connection does not name, and guarded ones), then the
// gateway's own (x.Fields), then the body.
func (r *Request) send(w *outbuf, x *Exchange) {
	b := w.b // appended to directly: a head may grow the buffer past its size
	b = append(append(b, r.method...), ' ')
	b = append(b, x.Path...)
	if x.Query != "" || len(r.query) > 0 {
		b = append(append(b, '?'), x.Query...)
		if x.Query != "" && len(r.query) > 0 {
			b = append(b, '&')
		}
		b = append(b, r.query...)
	}
	b = append(b, " HTTP/1.1\r\nHost: "...)
	b = append(b, x.Addr...) // as httputil.ProxyRequest.SetURL leaves it
	b = append(b, "\r\n"...)
	b = r.h.appendLines(b, func(f *edge.Field, e *fieldExt) bool {
		return edge.ForwardRequestField(f.Kind, e.named, b2s(f.Name), x.DropAuthorization)
	})
	if r.bodyLen > 0 || bodied(r.method) {
		b = append(b, "Content-Length: "...)
		b = append(strconv.AppendInt(b, int64(r.bodyLen), 10), "\r\n"...)
	}
	if x.Fields != nil {
		b = x.Fields(b)
	}
	w.b = append(append(b, "\r\n"...), r.body...)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
