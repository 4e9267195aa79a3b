//go:build unix

package gateway

import (
	"net"
	"syscall"
)

// h1Peek: idleUnusable can look at an idle connection without reading
// it, so the h1 fast path may pool connections.
const h1Peek = true

// idleUnusable reports whether a pooled connection has become readable
// while idle: its instance closed it, reset it, or sent bytes nobody asked
// for. One non-blocking MSG_PEEK; nothing is consumed.
func idleUnusable(nc net.Conn) bool {
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return true
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return true
	}
	unusable := true
	err = rc.Read(func(fd uintptr) bool {
		var b [1]byte
		_, _, errno := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		// Only "nothing to read" leaves the connection usable: a byte,
		// EOF (n 0, no error) and any other error do not.
		unusable = errno != syscall.EAGAIN && errno != syscall.EWOULDBLOCK
		return true
	})
	return err != nil || unusable
}
