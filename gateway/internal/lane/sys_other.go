//go:build !linux

package lane

import (
	"net"
	"syscall"
)

// Elsewhere than Linux the lane reads and writes through net.Conn: no raw
// system calls, and no look at a socket without consuming it, so a client
// that hangs up while its request waits on an upstream is noticed only
// when its answer is written, and an idle upstream connection could not be
// checked for unsolicited bytes before reuse: so upstream connections are
// not pooled at all (canPeek).

// canPeek is false: see above.
const canPeek = false

// sendRead is empty: there is no raw path to keep state for.
type sendRead struct{}

// sendThenRead writes o's pending bytes, then reads once into in, which
// must be empty.
func (o *outbuf) sendThenRead(_ syscall.RawConn, in *inbuf, _ bool) error {
	if err := o.Flush(); err != nil {
		return err
	}
	return in.fill()
}

// rawIO is never made here: newRawIO returns nil.
type rawIO struct{ rc syscall.RawConn }

func (*rawIO) Read([]byte) (int, error)  { return 0, net.ErrClosed }
func (*rawIO) Write([]byte) (int, error) { return 0, net.ErrClosed }

func newRawIO(net.Conn) *rawIO { return nil }

// peek reports neither: there is no portable look without consuming.
func peek(syscall.RawConn) (closed, data bool) { return false, false }
