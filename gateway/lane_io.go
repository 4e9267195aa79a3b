package gateway

import (
	"io"
	"net"
	"os"
	"syscall"
	"unsafe"
)

// outbuf is the lane's write buffer: a bufio.Writer whose pending bytes the
// lane can hand to sendThenWait.
type outbuf struct {
	w   io.Writer
	b   []byte
	err error
}

func newOutbuf(w io.Writer, size int) *outbuf { return &outbuf{w: w, b: make([]byte, 0, size)} }

// Buffered is the number of bytes not yet written.
func (o *outbuf) Buffered() int { return len(o.b) }

// Flush writes the buffered bytes.
func (o *outbuf) Flush() error {
	if o.err != nil {
		return o.err
	}
	if len(o.b) == 0 {
		return nil
	}
	_, o.err = o.w.Write(o.b)
	o.b = o.b[:0]
	return o.err
}

func (o *outbuf) Write(p []byte) (int, error) {
	if o.err != nil {
		return 0, o.err
	}
	if len(o.b)+len(p) > cap(o.b) {
		if err := o.Flush(); err != nil {
			return 0, err
		}
		if len(p) >= cap(o.b) {
			var n int
			n, o.err = o.w.Write(p)
			return n, o.err
		}
	}
	o.b = append(o.b, p...)
	return len(p), nil
}

func (o *outbuf) WriteString(s string) (int, error) {
	if len(o.b)+len(s) > cap(o.b) {
		return o.Write([]byte(s))
	}
	o.b = append(o.b, s...)
	return len(s), o.err
}

func (o *outbuf) WriteByte(c byte) error {
	if len(o.b) == cap(o.b) {
		if err := o.Flush(); err != nil {
			return err
		}
	}
	o.b = append(o.b, c)
	return o.err
}

// sendThenWait writes o's pending bytes on nc and waits until nc is
// readable (or its read deadline passes), without the read a plain
// Write-then-Read makes first, which almost always fails with EAGAIN: the
// peer has not answered yet. The wait is armed before the write, so an
// answer that comes back at once is not missed. It reports
// whether it did so; if not (nc is not a syscall.Conn, or the socket took
// only part of the bytes) it has written the rest the ordinary way and
// the caller reads as usual.
func (o *outbuf) sendThenWait(rc syscall.RawConn) (waited bool, err error) {
	if o.err != nil {
		return false, o.err
	}
	if rc == nil || len(o.b) == 0 {
		return false, o.Flush()
	}
	b, n := o.b, 0
	var werr error
	first := true
	rerr := rc.Read(func(fd uintptr) bool {
		if !first {
			return true
		}
		first = false
		for n < len(b) {
			r1, _, e := syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(&b[n])), uintptr(len(b)-n))
			switch {
			case e == syscall.EINTR:
				continue
			case e != 0:
				werr = e
				return true
			case int(r1) <= 0:
				werr = io.ErrShortWrite
				return true
			}
			n += int(r1)
		}
		return false // written: wait for the answer
	})
	o.b = o.b[:0]
	switch {
	case werr == syscall.EAGAIN: // the socket buffer is full: finish blocking
		_, o.err = o.w.Write(b[n:])
		return false, o.err
	case werr != nil:
		o.err = &net.OpError{Op: "write", Net: "tcp", Err: werr}
		return false, o.err
	case n < len(b):
		o.err = rerr // the read lock failed before the write: closed
		return false, o.err
	}
	return true, rerr
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
	for {
		r1, _, e := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(unsafe.SliceData(x.p))), uintptr(len(x.p)))
		switch e {
		case 0:
			x.n, x.err = int(r1), nil
			if x.n == 0 {
				x.err = io.EOF
			}
			return true
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return false
		}
		x.n, x.err = 0, &net.OpError{Op: "read", Net: "tcp", Source: x.nc.LocalAddr(), Addr: x.nc.RemoteAddr(), Err: os.NewSyscallError("read", e)}
		return true
	}
}

func (x *rawIO) write(fd uintptr) bool {
	for x.n < len(x.p) {
		b := x.p[x.n:]
		r1, _, e := syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(unsafe.SliceData(b))), uintptr(len(b)))
		switch e {
		case 0:
			x.n += int(r1)
			continue
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return false
		}
		x.err = &net.OpError{Op: "write", Net: "tcp", Source: x.nc.LocalAddr(), Addr: x.nc.RemoteAddr(), Err: os.NewSyscallError("write", e)}
		return true
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
