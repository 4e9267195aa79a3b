package lane

import (
	"io"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gantrykit/gantry/gateway/internal/edge"
)

// conn is one client connection served by the lane.
type conn struct {
	l    *Listener
	nc   net.Conn
	br   *inbuf
	bw   *outbuf
	rc   syscall.RawConn // nil when nc is not a socket, or off Linux
	ip   string          // client IP, for X-Forwarded-For, Forwarded and rate limits
	idle atomic.Bool
	up   atomic.Pointer[upConn] // the upstream connection of the request being served
	rdl  time.Time              // the read deadline last set
	post bool                   // the last request was a POST
	req  Request
}

var (
	readers = sync.Pool{New: func() any { return newInbuf(nil, 8<<10) }}
	writers = sync.Pool{New: func() any { return newOutbuf(nil, 8<<10) }}
)

func (l *Listener) newConn(nc net.Conn) *conn {
	c := &conn{l: l, nc: nc}
	c.req.c = c
	c.ip = clientIPOf(nc.RemoteAddr().String())
	l.mu.Lock()
	if l.draining.Load() {
		l.mu.Unlock()
		_ = nc.Close()
		return nil
	}
	l.conns[c] = struct{}{}
	l.wg.Add(1)
	l.mu.Unlock()
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
func (c *conn) release(handed bool) {
	c.l.mu.Lock()
	delete(c.l.conns, c)
	c.l.mu.Unlock()
	if !handed {
		_ = c.nc.Close()
		c.br.reset(nil)
		readers.Put(c.br)
	}
	c.bw.w = nil
	writers.Put(c.bw)
	c.l.wg.Done()
}

// serve reads and answers requests until the connection ends or is
// handed over to net/http.
func (c *conn) serve() {
	handed := false
	defer func() {
		if p := recover(); p != nil {
			c.l.logger.Error("gateway fast lane: panic serving a request", "panic", p, "stack", string(debug.Stack()))
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
		if c.post && c.skipEmptyLines() {
			continue
		}
		n, ok, bad := c.readHead()
		if n < 0 {
			return // timeout or error: nothing to answer
		}
		r := &c.req
		if bad != nil {
			c.refuse(bad)
			return
		}
		if ok {
			switch r.parse(c.br, n) {
			case refuse:
				c.refuse(r.refusal)
				return
			case take:
				ok = c.l.gw.Route(r)
			default:
				ok = false
			}
		}
		if !ok {
			handed = c.bw.Flush() == nil && c.handoff()
			return
		}
		if total := n + r.bodyLen; c.br.Buffered() < total {
			if !c.readBody(total) {
				return // gone, or too slow: nothing to answer
			}
			// Reading may have moved the buffered bytes to make room, and
			// the head with them: read it again where it is now.
			if r.parse(c.br, n) != take || !c.l.gw.Route(r) {
				handed = c.bw.Flush() == nil && c.handoff()
				return
			}
		}
		if r.bodyLen > 0 {
			buf, _ := c.br.Peek(n + r.bodyLen)
			r.body = buf[n:]
		}
		c.l.gw.Serve(r)
		c.l.served.Add(1)
		c.post = r.method == http.MethodPost
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

// skipEmptyLines drops up to four CR or LF bytes that follow a POST, as
// net/http's server does (RFC 9112 section 2.2: old clients send a CRLF
// after a POST body). It reports whether that emptied the buffer.
func (c *conn) skipEmptyLines() bool {
	c.post = false
	buf, _ := c.br.Peek(min(4, c.br.Buffered()))
	n := 0
	for n < len(buf) && (buf[n] == '\r' || buf[n] == '\n') {
		n++
	}
	c.br.Discard(n)
	return n > 0 && c.br.Buffered() == 0
}

// refuse answers a request the gateway's one admission refused (edge:
// ambiguous framing, a bad head, Host or Connection) with the status it
// says, and the connection is closed, as RFC 9112 section 6.3 asks and
// nginx does: nothing after such a head can be read safely.
func (c *conn) refuse(err error) {
	status := edge.StatusOf(err)
	body := strconv.Itoa(status) + " " + http.StatusText(status) + ": " + strings.TrimPrefix(err.Error(), "edge: ")
	_, _ = c.bw.WriteString("HTTP/1.1 " + strconv.Itoa(status) + " " + http.StatusText(status) +
		"\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\nContent-Length: " +
		strconv.Itoa(len(body)) + "\r\n\r\n" + body)
	_ = c.bw.Flush()
}

// awaitRequest sends the last answer and waits for the next request, under
// the idle timeout. It reports false when the connection is done: closed,
// idle for too long, or the lane is draining.
func (c *conn) awaitRequest() bool {
	// Arm the idle timeout before publishing the idle state, so that
	// Close's expired deadline always comes after it. A deadline armed
	// less than idle/16 ago is kept: under load this saves a timer update
	// per request.
	now := c.req.end
	if now.IsZero() {
		now = time.Now()
	}
	if d := now.Add(c.l.idle); d.Sub(c.rdl) > c.l.idle/16 {
		_ = c.nc.SetReadDeadline(d)
		c.rdl = d
	}
	c.idle.Store(true)
	defer c.idle.Store(false)
	if c.l.draining.Load() {
		_ = c.bw.Flush()
		return false
	}
	return c.bw.sendThenRead(c.rc, c.br, true) == nil
}

// readHead waits for a complete head in the buffer and returns its length
// and whether the lane can parse it; n < 0 means the connection failed or
// the client was too slow (the read-header timeout), bad that the bytes
// are no head at all (edge.ScanHead: a bare LF or CR).
func (c *conn) readHead() (n int, ok bool, bad error) {
	armed := false
	for {
		buf, _ := c.br.Peek(c.br.Buffered())
		n, err := edge.ScanHead(buf)
		switch {
		case err != nil:
			return 0, false, err
		case n > 0:
			return n, true, nil
		case len(buf) == c.br.Size():
			return 0, false, nil // net/http answers 431 or reads the long head
		}
		if !armed {
			c.rdl = time.Now().Add(c.l.header)
			_ = c.nc.SetReadDeadline(c.rdl)
			armed = true
		}
		if _, err := c.br.Peek(len(buf) + 1); err != nil {
			return -1, false, nil // gone, or too slow (slowloris): nothing to answer
		}
	}
}

// hungUp reports whether the client closed its side of the connection or
// reset it, looking at the socket without waiting and without consuming
// what it may have sent since (a pipelined request). net/http's server
// takes an end of the client's stream as a cancellation too.
func (c *conn) hungUp() bool {
	closed, _ := peek(c.rc)
	return closed
}

// readBody waits until total bytes (a head and its body) are buffered,
// under the read-header timeout: a client that sends its body slowly is
// cut off like one that sends its head slowly.
func (c *conn) readBody(total int) bool {
	c.rdl = time.Now().Add(c.l.header)
	_ = c.nc.SetReadDeadline(c.rdl)
	_, err := c.br.Peek(total)
	return err == nil
}

// handoff gives the connection, with what the lane buffered but did not
// consume, to the net/http server. It reports false when nobody takes it.
func (c *conn) handoff() bool {
	_ = c.nc.SetDeadline(time.Time{})
	pc := &prefixConn{Conn: c.nc, r: c.br}
	c.l.handedOver.Add(1) // before net/http can answer on it
	select {
	case c.l.handed <- pc:
		return true
	case <-c.l.done:
		c.l.handedOver.Add(-1)
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

// clientIPOf is the host part of a remote address.
func clientIPOf(addr string) string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return host
}
