//go:build linux

package lane

import (
	"io"
	"net"
	"os"
	"syscall"
	"unsafe"
)

// On Linux the lane reads and writes its sockets with raw system calls
// through syscall.RawConn, and writes a message and waits for the answer
// in one RawConn.Read (sendThenRead). Other systems use the portable path
// of sys_other.go: plain net.Conn reads and writes.

// canPeek tells that peek works here, so pooled upstream connections can be
// checked for unsolicited bytes before reuse.
const canPeek = true

// sendThenRead writes o's pending bytes on rc's socket, waits until it is
// readable (or its read deadline passes) and reads what came into in, all
// in one RawConn.Read. readFirst tries a read right after the write, before
// waiting: the client side needs it, since bytes that came while the lane
// was busy elsewhere (a pipelined request, a FIN) raise no new readiness
// event once RawConn.Read has reset the old one. The upstream side skips
// it: its answer can only come after the request, so waiting first saves a
// read that would fail with EAGAIN. Without a RawConn, or when the socket
// takes only part of the bytes, the rest is written and read the ordinary
// way. in must be empty.
func (o *outbuf) sendThenRead(rc syscall.RawConn, in *inbuf, readFirst bool) error {
	if o.err != nil {
		return o.err
	}
	if rc == nil || len(o.b) == 0 || in.err != nil || !in.room() {
		if err := o.Flush(); err != nil {
			return err
		}
		return in.fill()
	}
	x := &o.x
	if x.fn == nil {
		x.fn = x.step // bound once: no closure per call
	}
	x.b, x.n, x.in, x.werr, x.rerr, x.wrote, x.readFirst = o.b, 0, in, nil, nil, false, readFirst
	err := rc.Read(x.fn)
	b, n, werr, rerr, wrote := x.b, x.n, x.werr, x.rerr, x.wrote
	x.b, x.in = nil, nil
	o.b = o.b[:0]
	switch {
	case werr == syscall.EAGAIN: // the socket buffer is full: finish blocking
		if o.nc != nil && !o.deadline.IsZero() {
			_ = o.nc.SetWriteDeadline(o.deadline)
		}
		if _, o.err = o.w.Write(b[n:]); o.err != nil {
			return o.err
		}
		return in.fill()
	case werr != nil:
		o.err = os.NewSyscallError("write", werr)
		return o.err
	case !wrote:
		o.err = err // the read lock failed before the write: closed
		return o.err
	case err != nil:
		in.err = err
		return err
	case rerr != nil:
		in.err = rerr
		return rerr
	}
	return nil
}

// sendRead is sendThenRead's state across RawConn.Read's calls of step.
type sendRead struct {
	b                []byte
	n                int
	in               *inbuf
	werr, rerr       error
	wrote, readFirst bool
	fn               func(uintptr) bool
}

// step writes x.b on its first call; then (at once with readFirst, else
// once the socket is readable) it reads into x.in, asking to wait while
// nothing is there.
func (x *sendRead) step(fd uintptr) bool {
	if !x.wrote {
		n, e := rawWrite(fd, x.b[x.n:])
		x.n += n
		if e != 0 {
			x.werr = e
			return true
		}
		x.wrote = true
		if !x.readFirst {
			return false // written: wait for the answer
		}
	}
	in := x.in
	n, e := rawRead(fd, in.buf[in.wpos:])
	switch e {
	case 0:
		if n == 0 {
			x.rerr = io.EOF
		}
		in.wpos += n
	case syscall.EAGAIN:
		return false // nothing there yet: wait
	default:
		x.rerr = os.NewSyscallError("read", e)
	}
	return true
}

// rawConn returns nc's syscall.RawConn, or nil.
func rawConn(nc net.Conn) syscall.RawConn {
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return rc
}

// rawIO reads and writes a non-blocking socket through its RawConn with
// raw system calls: the calls never block (EAGAIN parks the goroutine on
// the netpoller as net.Conn does), so the scheduler's syscall bookkeeping
// is skipped. That bookkeeping is not only overhead: a loopback send runs
// the receiver's side of TCP and may wake (and be preempted by) the
// receiving process, and a write held that way for over 20 µs has its P
// taken by sysmon and handed to another thread, which the lane then pays
// for in futex wake-ups and context switches.
type rawIO struct {
	rc     syscall.RawConn
	nc     net.Conn
	p      []byte
	n      int
	err    error
	rd, wr func(uintptr) bool // bound once: no closure per call
}

// newRawIO returns nc's raw reader and writer, or nil when nc is not a
// socket.
func newRawIO(nc net.Conn) *rawIO {
	rc := rawConn(nc)
	if rc == nil {
		return nil
	}
	x := &rawIO{rc: rc, nc: nc}
	x.rd, x.wr = x.read, x.write
	return x
}

func (x *rawIO) read(fd uintptr) bool {
	n, e := rawRead(fd, x.p)
	switch e {
	case 0:
		x.n, x.err = n, nil
		if n == 0 {
			x.err = io.EOF
		}
	case syscall.EAGAIN:
		return false
	default:
		x.n, x.err = 0, &net.OpError{Op: "read", Net: "tcp", Source: x.nc.LocalAddr(), Addr: x.nc.RemoteAddr(), Err: os.NewSyscallError("read", e)}
	}
	return true
}

func (x *rawIO) write(fd uintptr) bool {
	n, e := rawWrite(fd, x.p[x.n:])
	x.n += n
	switch e {
	case 0:
	case syscall.EAGAIN:
		return false
	default:
		x.err = &net.OpError{Op: "write", Net: "tcp", Source: x.nc.LocalAddr(), Addr: x.nc.RemoteAddr(), Err: os.NewSyscallError("write", e)}
	}
	return true
}

// Read reads into p, waiting on the netpoller while nothing is there.
func (x *rawIO) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	x.p, x.n, x.err = p, 0, nil
	if err := x.rc.Read(x.rd); err != nil {
		return 0, err
	}
	n, err := x.n, x.err
	x.p = nil
	return n, err
}

// Write writes all of p, waiting on the netpoller while the socket is full.
func (x *rawIO) Write(p []byte) (int, error) {
	x.p, x.n, x.err = p, 0, nil
	err := x.rc.Write(x.wr)
	n := x.n
	if err == nil {
		err = x.err
	}
	x.p = nil
	return n, err
}

// rawRead is one read(2) of fd into p (not empty), retried on EINTR; the
// scheduler is not told (see rawIO). EAGAIN means nothing is there yet.
func rawRead(fd uintptr, p []byte) (int, syscall.Errno) {
	for {
		r1, _, e := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(unsafe.SliceData(p))), uintptr(len(p)))
		if e != syscall.EINTR {
			return int(r1), e
		}
	}
}

// rawWrite writes p to fd with write(2) until all of it is written or the
// socket refuses more: EAGAIN when its buffer is full, another errno when
// it failed. It returns how many bytes went.
func rawWrite(fd uintptr, p []byte) (int, syscall.Errno) {
	n := 0
	for n < len(p) {
		r1, _, e := syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(&p[n])), uintptr(len(p)-n))
		switch {
		case e == syscall.EINTR:
			continue
		case e != 0:
			return n, e
		case int(r1) <= 0:
			return n, syscall.EAGAIN // took nothing: wait until it will
		}
		n += int(r1)
	}
	return n, 0
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
