//go:build unix

package gateway

import (
	"net"
	"syscall"
)

// h1Peek: idleUnusable can look at an idle connection without reading
// it, so the h1 fast path may pool connections.
const h1Peek = true

// peeker looks at one connection without reading it: one non-blocking
// MSG_PEEK, nothing consumed. Built once per connection.
type peeker struct {
	rc       syscall.RawConn
	unusable bool
	look     func(fd uintptr) bool
}

func newPeeker(nc net.Conn) *peeker {
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	p := &peeker{rc: rc}
	p.look = func(fd uintptr) bool {
		var b [1]byte
		_, _, errno := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		// Only "nothing to read" leaves the connection usable: a byte,
		// EOF (n 0, no error) and any other error do not.
		p.unusable = errno != syscall.EAGAIN && errno != syscall.EWOULDBLOCK
		return true
	}
	return p
}

// idleUnusable reports whether a pooled connection has become readable
// while idle: its instance closed it, reset it, or sent bytes nobody asked
// for.
func (p *peeker) idleUnusable() bool {
	if p == nil {
		return true
	}
	p.unusable = true
	err := p.rc.Read(p.look)
	return err != nil || p.unusable
}
