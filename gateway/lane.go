package gateway

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// FastPath is the gateway's fast lane, experimental and off by default
// everywhere (the command's server.fast_lane, the shop's fast_lane): do not
// put it in front of untrusted clients until it passes the gateway's
// conformance and smuggling suite. It is a net.Listener wrapper that serves
// the common case itself and hands every other connection to the net/http
// server that serves on it. The common case is plain HTTP/1.1 on routes
// without CORS: GET, HEAD and DELETE without a body, and POST, PUT and
// PATCH with a Content-Length body that fits, with its head, in the
// lane's 8 KiB buffer (and in the route's max_body).
//
//	fp := gateway.NewFastPath(ln, func() *gateway.Gateway { return g }, cfg.Server, logger)
//	srv := gateway.NewServer(g, cfg.Server, logger)
//	go srv.Serve(fp) // sees the connections the lane hands over
//	...
//	srv.Shutdown(ctx) // closes fp: the lane stops accepting and drains
//	fp.Shutdown(ctx)  // waits for the lane's connections
//
// The lane reads each request head in place, routes, authenticates,
// rate-limits and balances exactly as Gateway.ServeHTTP does (same
// metrics, spans, access log, breakers and retries), writes the upstream
// request straight from those bytes and relays the answer's head and body
// (Content-Length, chunked or until close) without building an
// http.Request or http.Response. Its sockets are read and written with raw
// system calls through syscall.RawConn, and a request is written in the
// same call that then waits for and reads its answer, so no read fails
// with EAGAIN (see sendThenRead). It costs about 40% of the CPU per
// request of net/http plus httputil.ReverseProxy, on par with nginx.
//
// A body is read whole, under the read-header timeout, before the request
// is served; a request that must not be sent twice (POST or PATCH without
// an Idempotency-Key) is neither retried nor resent on a new connection,
// and goes only on a pooled connection the instance has not closed.
//
// The first request the lane does not take (a chunked or larger body,
// Expect, Upgrade, HTTP/1.0, a percent-encoded or unclean path, an unknown
// route, a CORS route, the docs, a head over 8 KiB or anything it does not
// parse strictly) hands its connection, unread bytes included, to the net/http
// server for good, so every answer net/http would give is still given. A
// client that hangs up while its request waits on an upstream is noticed
// within 250 ms: the attempt ends and its upstream connection is closed,
// as net/http cancels the request. The lane serves cleartext listeners
// only: terminate TLS with NewServer as before.
type FastPath struct {
	inner  net.Listener
	gw     func() *Gateway
	logger *slog.Logger
	idle   time.Duration // keep-alive idle timeout
	header time.Duration // read header timeout

	handed    chan net.Conn
	done      chan struct{} // closed by Close
	closeOnce sync.Once
	acceptErr atomic.Pointer[error] // the inner listener's failure
	draining  atomic.Bool
	accepting sync.WaitGroup

	served, handedOver atomic.Int64 // requests answered, connections handed over

	mu    sync.Mutex
	conns map[*laneConn]struct{}
	wg    sync.WaitGroup // lane connections
}

// NewFastPath starts accepting on ln and returns the listener the net/http
// server must serve on. gw returns the gateway to serve with, or nil while
// it is not built yet (every connection then goes to net/http). c supplies
// the idle and read-header timeouts (defaults as NewServer's).
func NewFastPath(ln net.Listener, gw func() *Gateway, c ServerConfig, logger *slog.Logger) *FastPath {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	fp := &FastPath{
		inner: ln, gw: gw, logger: logger,
		idle: c.IdleTimeout, header: c.ReadHeaderTimeout,
		handed: make(chan net.Conn),
		done:   make(chan struct{}),
		conns:  map[*laneConn]struct{}{},
	}
	if fp.idle <= 0 {
		fp.idle = 2 * time.Minute
	}
	if fp.header <= 0 {
		fp.header = 5 * time.Second
	}
	fp.accepting.Add(1)
	go fp.acceptLoop()
	return fp
}

// Accept returns the next connection handed over to net/http.
func (fp *FastPath) Accept() (net.Conn, error) {
	select {
	case c := <-fp.handed:
		return c, nil
	case <-fp.done:
		if p := fp.acceptErr.Load(); p != nil {
			return nil, *p
		}
		return nil, net.ErrClosed
	}
}

// Counts returns how many requests the lane has answered itself and how
// many connections it has handed to net/http.
func (fp *FastPath) Counts() (served, handedOver int64) {
	return fp.served.Load(), fp.handedOver.Load()
}

// Addr is the inner listener's address.
func (fp *FastPath) Addr() net.Addr { return fp.inner.Addr() }

// Close stops accepting and starts draining the lane: idle connections are
// closed, busy ones after their current answer (sent with Connection:
// close). It does not wait; Shutdown does.
func (fp *FastPath) Close() error {
	var err error
	fp.closeOnce.Do(func() {
		err = fp.inner.Close()
		close(fp.done)
		fp.draining.Store(true)
		fp.mu.Lock()
		for c := range fp.conns {
			if c.idle.Load() {
				_ = c.nc.SetReadDeadline(aLongTimeAgo)
			}
		}
		fp.mu.Unlock()
	})
	return err
}

// Shutdown closes the lane like Close and waits until its connections
// have finished, or until ctx ends: then it closes them and returns
// ctx.Err().
func (fp *FastPath) Shutdown(ctx context.Context) error {
	_ = fp.Close()
	done := make(chan struct{})
	go func() { fp.accepting.Wait(); fp.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		fp.mu.Lock()
		for c := range fp.conns {
			_ = c.nc.Close()
			if u := c.up.Load(); u != nil {
				_ = u.nc.Close() // a stream blocked on its upstream
			}
		}
		fp.mu.Unlock()
		<-done
		return ctx.Err()
	}
}

var aLongTimeAgo = time.Unix(1, 0)

func (fp *FastPath) acceptLoop() {
	defer fp.accepting.Done()
	var delay time.Duration
	for {
		nc, err := fp.inner.Accept()
		if err != nil {
			select {
			case <-fp.done:
				return
			default:
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) {
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				fp.logger.Warn("gateway fast lane: accept failed, retrying", "err", err, "in", delay)
				select {
				case <-time.After(delay):
				case <-fp.done:
					return
				}
				continue
			}
			// A listener that fails for good: net/http's Serve returns this
			// error from Accept, and the lane drains as after Close.
			fp.acceptErr.Store(&err)
			_ = fp.Close()
			return
		}
		delay = 0
		c := fp.newConn(nc)
		if c == nil {
			continue
		}
		go c.serve()
	}
}

// laneConn is one client connection served by the lane.
type laneConn struct {
	fp   *FastPath
	nc   net.Conn
	br   *inbuf
	bw   *outbuf
	rc   syscall.RawConn // nil when nc is not a socket
	ip   string          // client IP, for X-Forwarded-For, Forwarded and rate limits
	idle atomic.Bool
	up   atomic.Pointer[h1Conn] // the upstream connection of the request being served
	rdl  time.Time              // the read deadline last set
	req  laneReq
}

var (
	readers = sync.Pool{New: func() any { return newInbuf(nil, 8<<10) }}
	writers = sync.Pool{New: func() any { return newOutbuf(nil, 8<<10) }}
)

func (fp *FastPath) newConn(nc net.Conn) *laneConn {
	c := &laneConn{fp: fp, nc: nc}
	c.req.c = c
	c.ip = clientIPOf(nc.RemoteAddr().String())
	fp.mu.Lock()
	if fp.draining.Load() {
		fp.mu.Unlock()
		_ = nc.Close()
		return nil
	}
	fp.conns[c] = struct{}{}
	fp.wg.Add(1)
	fp.mu.Unlock()
	var rw io.ReadWriter = nc
	if x := newRawIO(nc); x != nil {
		rw, c.rc = x, x.rc
	}
	c.br = readers.Get().(*inbuf)
	c.br.reset(rw)
	c.bw = writers.Get().(*outbuf)
	c.bw.w, c.bw.b, c.bw.err = rw, c.bw.b[:0], nil
	return c
}

// release forgets c; handed tells whether net/http now owns the socket.
func (c *laneConn) release(handed bool) {
	c.fp.mu.Lock()
	delete(c.fp.conns, c)
	c.fp.mu.Unlock()
	if !handed {
		_ = c.nc.Close()
		c.br.reset(nil)
		readers.Put(c.br)
	}
	c.bw.w = nil
	writers.Put(c.bw)
	c.fp.wg.Done()
}

// serve reads and answers requests until the connection ends or is
// handed over to net/http.
func (c *laneConn) serve() {
	handed := false
	defer func() {
		if p := recover(); p != nil {
			c.fp.logger.Error("gateway fast lane: panic serving a request", "panic", p, "stack", string(debug.Stack()))
			handed = false
			if u := c.up.Swap(nil); u != nil {
				_ = u.nc.Close() // mid-exchange: the upstream connection is in no state to reuse
			}
		}
		c.release(handed)
	}()
	for {
		if c.br.Buffered() == 0 {
			if !c.awaitRequest() {
				return
			}
		} else if err := c.bw.Flush(); err != nil { // a pipelined request waits: answer the last one first
			return
		}
		n, ok := c.readHead()
		if n < 0 {
			return // timeout or error: nothing to answer
		}
		r := &c.req
		if !ok || !r.parse(c.br, n) || !r.route(c) {
			handed = c.bw.Flush() == nil && c.handoff()
			return
		}
		if total := n + r.bodyLen; c.br.Buffered() < total {
			if !c.readBody(total) {
				return // gone, or too slow: nothing to answer
			}
			// Reading may have moved the buffered bytes to make room, and
			// the head with them: read it again where it is now.
			if !r.parse(c.br, n) || !r.route(c) {
				handed = c.bw.Flush() == nil && c.handoff()
				return
			}
		}
		if r.bodyLen > 0 {
			buf, _ := c.br.Peek(n + r.bodyLen)
			r.body = buf[n:]
		}
		r.gw.serveLane(r)
		c.fp.served.Add(1)
		c.br.Discard(n + r.bodyLen)
		if r.broken || r.gone {
			return
		}
		if r.close {
			_ = c.bw.Flush()
			return
		}
	}
}

// awaitRequest sends the last answer and waits for the next request, under
// the idle timeout. It reports false when the connection is done: closed,
// idle for too long, or the lane is draining.
func (c *laneConn) awaitRequest() bool {
	// Arm the idle timeout before publishing the idle state, so that
	// Close's expired deadline always comes after it. A deadline armed
	// less than idle/16 ago is kept: under load this saves a timer update
	// per request.
	now := c.req.end
	if now.IsZero() {
		now = time.Now()
	}
	if d := now.Add(c.fp.idle); d.Sub(c.rdl) > c.fp.idle/16 {
		_ = c.nc.SetReadDeadline(d)
		c.rdl = d
	}
	c.idle.Store(true)
	defer c.idle.Store(false)
	if c.fp.draining.Load() {
		_ = c.bw.Flush()
		return false
	}
	return c.bw.sendThenRead(c.rc, c.br) == nil
}

// readHead waits for a complete head in the buffer and returns its length
// and whether the lane can parse it; n < 0 means the connection failed or
// the client was too slow (the read-header timeout).
func (c *laneConn) readHead() (n int, ok bool) {
	armed := false
	for {
		buf, _ := c.br.Peek(c.br.Buffered())
		n, st := scanHead(buf)
		switch {
		case st == headComplete:
			return n, true
		case st == headInvalid || len(buf) == c.br.Size():
			return 0, false // net/http answers 400 or 431 as it sees fit
		}
		if !armed {
			c.rdl = time.Now().Add(c.fp.header)
			_ = c.nc.SetReadDeadline(c.rdl)
			armed = true
		}
		if _, err := c.br.Peek(len(buf) + 1); err != nil {
			return -1, false // gone, or too slow (slowloris): nothing to answer
		}
	}
}

// hungUp reports whether the client closed its side of the connection or
// reset it, looking at the socket without waiting and without consuming
// what it may have sent since (a pipelined request). net/http's server
// takes an end of the client's stream as a cancellation too.
func (c *laneConn) hungUp() bool {
	closed, _ := peek(c.rc)
	return closed
}

// peek looks at a socket without waiting and without consuming: closed
// when the peer ended its stream or reset it, data when bytes wait to be
// read. With no RawConn it reports neither.
func peek(rc syscall.RawConn) (closed, data bool) {
	if rc == nil {
		return false, false
	}
	_ = rc.Control(func(fd uintptr) {
		var b [1]byte
		n, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		switch {
		case err == nil:
			closed, data = n == 0, n > 0
		case err != syscall.EAGAIN && err != syscall.EINTR:
			closed = true
		}
	})
	return closed, data
}

// readBody waits until total bytes (a head and its body) are buffered,
// under the read-header timeout: a client that sends its body slowly is
// cut off like one that sends its head slowly.
func (c *laneConn) readBody(total int) bool {
	c.rdl = time.Now().Add(c.fp.header)
	_ = c.nc.SetReadDeadline(c.rdl)
	_, err := c.br.Peek(total)
	return err == nil
}

// handoff gives the connection, with what the lane buffered but did not
// consume, to the net/http server. It reports false when nobody takes it.
func (c *laneConn) handoff() bool {
	_ = c.nc.SetDeadline(time.Time{})
	pc := &prefixConn{Conn: c.nc, r: c.br}
	c.fp.handedOver.Add(1) // before net/http can answer on it
	select {
	case c.fp.handed <- pc:
		return true
	case <-c.fp.done:
		c.fp.handedOver.Add(-1)
		return false
	}
}

// prefixConn is a connection handed to net/http: reads drain the lane's
// buffer first.
type prefixConn struct {
	net.Conn
	r *inbuf
}

func (p *prefixConn) Read(b []byte) (int, error) {
	if p.r != nil {
		if p.r.Buffered() > 0 {
			return p.r.Read(b)
		}
		p.r.reset(nil)
		readers.Put(p.r)
		p.r = nil
	}
	return p.Conn.Read(b)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// clientIPOf is the host part of a remote address.
func clientIPOf(addr string) string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return host
}
