package gateway

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/gantrykit/gantry/gateway/internal/edge"
)

// h1Transport is the upstream RoundTripper for plain HTTP/1.1 instances.
// For bodiless idempotent requests, the common case behind a gateway, it
// writes the request and reads the response head on the calling goroutine
// over a pooled keep-alive connection: none of net/http.Transport's two
// goroutines per connection and the hand-offs between them. Everything
// else (bodies, upgrades, TLS, non-idempotent methods) goes to fallback,
// a tuned net/http.Transport. Requests are written with Request.Write and
// answers read with http.ReadResponse, so the wire format is the standard
// library's.
type h1Transport struct {
	fallback *http.Transport
	dialer   net.Dialer

	mu        sync.Mutex
	idle      map[string][]*h1Conn
	lastSweep time.Time
}

const (
	h1MaxIdlePerHost = 1024
	h1IdleTimeout    = 60 * time.Second
)

type h1Conn struct {
	t      *h1Transport
	host   string
	nc     net.Conn
	br     *bufio.Reader
	bw     *bufio.Writer
	idleAt time.Time

	head edge.Head // the last answer's head, checked by checkHead
	peek *peeker   // looks at the connection while it is idle
}

func newH1Transport(fallback *http.Transport) *h1Transport {
	return &h1Transport{
		fallback: fallback,
		dialer:   net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second},
		idle:     map[string][]*h1Conn{},
	}
}

func fastPath(req *http.Request) bool {
	if req.URL.Scheme != "http" || (req.Body != nil && req.Body != http.NoBody) || req.Header["Upgrade"] != nil {
		return false
	}
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodDelete:
		return true
	}
	return false
}

// RoundTrip implements http.RoundTripper. A request that fails on a reused
// connection before any answer arrived (the instance closed it while idle)
// is sent once more on a new connection: it is bodiless and idempotent.
//
// A connection goes back to the pool only when its answer ended exactly
// where its framing said, with nothing after it: surplus bytes (a body
// on HEAD, 204 or 304, more than Content-Length), an answer head the edge
// policy refuses (edge.CheckResponse), an unasked 101 or an answer cut
// short close it. A pooled connection that has become readable while idle
// (an unsolicited or late answer, or the instance closing it) is closed
// instead of used.
func (t *h1Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if !h1Peek || !fastPath(req) {
		return t.fallback.RoundTrip(req)
	}
	for {
		c, reused, err := t.get(req.Context(), req.URL.Host)
		if err != nil {
			return nil, err
		}
		res, err := c.roundTrip(req)
		if err == nil {
			return res, nil
		}
		c.nc.Close()
		if !reused || req.Context().Err() != nil {
			return nil, err
		}
	}
}

func (t *h1Transport) get(ctx context.Context, host string) (*h1Conn, bool, error) {
	for c := t.idleConn(host, time.Now()); c != nil; c = t.idleConn(host, time.Now()) {
		if !c.peek.idleUnusable() {
			return c, true, nil
		}
		c.nc.Close() // the instance closed it, or sent bytes nobody asked for
	}
	c, err := t.dial(ctx, host)
	return c, false, err
}

// idleConn takes the most recently pooled connection to host, or returns
// nil.
func (t *h1Transport) idleConn(host string, now time.Time) *h1Conn {
	t.mu.Lock()
	defer t.mu.Unlock()
	for list := t.idle[host]; len(list) > 0; list = t.idle[host] {
		c := list[len(list)-1]
		list[len(list)-1] = nil
		t.idle[host] = list[:len(list)-1]
		if now.Sub(c.idleAt) < h1IdleTimeout {
			return c
		}
		c.nc.Close()
	}
	return nil
}

// dial opens a new connection to host.
func (t *h1Transport) dial(ctx context.Context, host string) (*h1Conn, error) {
	nc, err := t.dialer.DialContext(ctx, "tcp", host)
	if err != nil {
		return nil, err
	}
	c := &h1Conn{t: t, host: host, nc: nc}
	c.br, c.bw = bufio.NewReaderSize(nc, 16<<10), bufio.NewWriterSize(nc, 16<<10)
	c.peek = newPeeker(nc)
	return c, nil
}

func (t *h1Transport) put(c *h1Conn) { t.putAt(c, time.Now()) }

// putAt pools c as idle since now.
func (t *h1Transport) putAt(c *h1Conn, now time.Time) {
	c.idleAt = now
	t.mu.Lock()
	if now.Sub(t.lastSweep) > h1IdleTimeout {
		t.sweep(now)
	}
	if list := t.idle[c.host]; len(list) < h1MaxIdlePerHost {
		t.idle[c.host] = append(list, c)
		t.mu.Unlock()
		return
	}
	t.mu.Unlock()
	c.nc.Close()
}

// sweep closes connections idle for longer than h1IdleTimeout, on every
// host, so that instances that left discovery do not keep sockets open.
// Called with t.mu held, at most once per h1IdleTimeout.
func (t *h1Transport) sweep(now time.Time) {
	t.lastSweep = now
	for host, list := range t.idle {
		keep := list[:0]
		for _, c := range list {
			if now.Sub(c.idleAt) < h1IdleTimeout {
				keep = append(keep, c)
			} else {
				c.nc.Close()
			}
		}
		clear(list[len(keep):])
		if len(keep) == 0 {
			delete(t.idle, host)
		} else {
			t.idle[host] = keep
		}
	}
}

// CloseIdleConnections closes every pooled connection, here and in the
// fallback transport.
func (t *h1Transport) CloseIdleConnections() {
	t.mu.Lock()
	for host, list := range t.idle {
		for _, c := range list {
			c.nc.Close()
		}
		delete(t.idle, host)
	}
	t.mu.Unlock()
	if t.fallback != nil {
		t.fallback.CloseIdleConnections()
	}
}

var errConnAborted = errors.New("upstream connection aborted by cancellation")

func (c *h1Conn) roundTrip(req *http.Request) (*http.Response, error) {
	// Cancellation unblocks a write or read by expiring the deadline.
	stop := context.AfterFunc(req.Context(), func() { _ = c.nc.SetDeadline(time.Unix(1, 0)) })
	if err := req.Write(c.bw); err != nil {
		stop()
		return nil, err
	}
	if err := c.bw.Flush(); err != nil {
		stop()
		return nil, err
	}
	framing, err := c.checkHead(req)
	var res *http.Response
	if err == nil {
		res, err = http.ReadResponse(c.br, req) // the same head, read by the standard library
	}
	if err != nil {
		if !stop() {
			err = errors.Join(err, errConnAborted, req.Context().Err())
		}
		return nil, err
	}
	b := &h1Body{c: c, rc: res.Body, stop: stop, reuse: !res.Close && !req.Close && !framing.Close}
	if res.Body == http.NoBody {
		b.release(true)
		return res, nil
	}
	res.Body = b
	return res, nil
}

// h1Body hands the connection back to the pool when the body has been
// read to its end, and closes it when the body is abandoned early.
type h1Body struct {
	c     *h1Conn
	rc    io.ReadCloser
	stop  func() bool
	reuse bool
	done  bool
}

func (b *h1Body) Read(p []byte) (int, error) {
	if b.done {
		return 0, io.EOF
	}
	n, err := b.rc.Read(p)
	if err != nil {
		b.release(err == io.EOF)
	}
	return n, err
}

func (b *h1Body) Close() error {
	if !b.done {
		b.release(false)
	}
	return nil
}

func (b *h1Body) release(complete bool) {
	b.done = true
	// Bytes buffered past the answer's end are surplus: the connection
	// is out of step with its instance.
	if b.stop() && complete && b.reuse && b.c.br.Buffered() == 0 {
		b.c.t.put(b.c)
		return
	}
	b.c.nc.Close()
}
