package lane

import (
	"context"
	"net"
	"sync"
	"syscall"
	"time"
)

// pool keeps the lane's idle keep-alive connections to upstream instances.
// A connection goes back only after a message that ended exactly where its
// framing said, with nothing read past it; before reuse it is checked for
// bytes the instance sent while it sat idle (a late or unsolicited
// answer), and closed if it has any: such bytes would be taken for the
// next client's answer.
type pool struct {
	dialer net.Dialer

	mu        sync.Mutex
	idle      map[string][]*upConn
	lastSweep time.Time
	closed    bool
}

const (
	maxIdlePerHost = 1024
	idleTimeout    = 60 * time.Second
)

// upConn is one connection to an upstream instance.
type upConn struct {
	host   string
	nc     net.Conn
	out    *outbuf
	in     *inbuf
	rc     syscall.RawConn // nil without raw I/O (see sys_other.go)
	rdl    time.Time       // the read deadline last set
	idleAt time.Time
}

func newPool() *pool {
	return &pool{
		dialer: net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second},
		idle:   map[string][]*upConn{},
	}
}

// get takes the most recently pooled connection to host that is still
// usable, or returns nil.
func (p *pool) get(host string, now time.Time) *upConn {
	for {
		p.mu.Lock()
		list := p.idle[host]
		if len(list) == 0 {
			p.mu.Unlock()
			return nil
		}
		c := list[len(list)-1]
		list[len(list)-1] = nil
		p.idle[host] = list[:len(list)-1]
		p.mu.Unlock()
		if now.Sub(c.idleAt) < idleTimeout && !c.unusable() {
			return c
		}
		c.nc.Close()
	}
}

// unusable reports whether an idle connection must not carry another
// request: the instance closed or reset it, or sent bytes nobody asked for.
func (c *upConn) unusable() bool {
	closed, data := peek(c.rc)
	return closed || data || c.in.Buffered() > 0
}

// dial opens a new connection to host.
func (p *pool) dial(ctx context.Context, host string) (*upConn, error) {
	nc, err := p.dialer.DialContext(ctx, "tcp", host)
	if err != nil {
		return nil, err
	}
	c := &upConn{host: host, nc: nc, out: newOutbuf(nc, 8<<10), in: newInbuf(nc, 16<<10)}
	if x := newRawIO(nc); x != nil {
		c.out.w, c.in.r, c.rc = x, x, x.rc
	}
	return c, nil
}

// put pools c as idle since now, unless bytes past the last message were
// read into its buffer (an upstream that sent more than it framed), a
// read or write on it failed, the
// pool is closed, or the system cannot check idle connections (canPeek):
// then c is closed.
func (p *pool) put(c *upConn, now time.Time) {
	if !canPeek || c.in.Buffered() > 0 || c.in.err != nil || c.out.err != nil {
		c.nc.Close()
		return
	}
	c.idleAt = now
	p.mu.Lock()
	if now.Sub(p.lastSweep) > idleTimeout {
		p.sweep(now)
	}
	if list := p.idle[c.host]; !p.closed && len(list) < maxIdlePerHost {
		p.idle[c.host] = append(list, c)
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()
	c.nc.Close()
}

// sweep closes connections idle for longer than idleTimeout, on every
// host, so that instances that left discovery do not keep sockets open.
// Called with p.mu held, at most once per idleTimeout.
func (p *pool) sweep(now time.Time) {
	p.lastSweep = now
	for host, list := range p.idle {
		keep := list[:0]
		for _, c := range list {
			if now.Sub(c.idleAt) < idleTimeout {
				keep = append(keep, c)
			} else {
				c.nc.Close()
			}
		}
		clear(list[len(keep):])
		if len(keep) == 0 {
			delete(p.idle, host)
		} else {
			p.idle[host] = keep
		}
	}
}

// close closes every idle connection; later puts close theirs.
func (p *pool) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	for host, list := range p.idle {
		for _, c := range list {
			c.nc.Close()
		}
		delete(p.idle, host)
	}
}
