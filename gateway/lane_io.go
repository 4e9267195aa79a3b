package gateway

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"os"
	"syscall"
	"time"
	"unsafe"
)

// outbuf is the lane's write buffer: a bufio.Writer whose pending bytes the
// lane can hand to sendThenRead.
type outbuf struct {
	w   io.Writer
	b   []byte
	err error
	// deadline, when set, bounds a write that cannot finish at once in
	// sendThenRead: it becomes nc's write deadline.
	nc       net.Conn
	deadline time.Time
	x        sendRead
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

// sendThenRead writes o's pending bytes on rc's socket, waits until it is
// readable (or its read deadline passes) and reads what came into in, all
// in one RawConn.Read: no read that fails with EAGAIN because the peer has
// not answered yet, as a Write followed by a Read would make. The wait is
// armed before the write, so an answer that comes back at once is not
// missed. Without a RawConn, or when the socket takes only part of the
// bytes, the rest is written and read the ordinary way. in must be empty.
func (o *outbuf) sendThenRead(rc syscall.RawConn, in *inbuf) error {
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
	x.b, x.n, x.in, x.werr, x.rerr, x.wrote = o.b, 0, in, nil, nil, false
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
	b          []byte
	n          int
	in         *inbuf
	werr, rerr error
	wrote      bool
	fn         func(uintptr) bool
}

// step writes x.b on its first call and asks to wait; on later calls it
// reads into x.in, asking to wait again while nothing is there.
func (x *sendRead) step(fd uintptr) bool {
	if !x.wrote {
		n, e := rawWrite(fd, x.b[x.n:])
		x.n += n
		if e != 0 {
			x.werr = e
			return true
		}
		x.wrote = true
		return false // written: wait for the answer
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
		return false // woken without data: wait again
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

// inbuf is the lane's read buffer: the parts of bufio.Reader the lane uses
// (Peek, Discard, ReadSlice), over a buffer that sendThenRead can fill in
// the same call that waited for the data.
type inbuf struct {
	r          io.Reader
	buf        []byte
	rpos, wpos int
	err        error
}

func newInbuf(r io.Reader, size int) *inbuf { return &inbuf{r: r, buf: make([]byte, size)} }

func (in *inbuf) reset(r io.Reader) { in.r, in.rpos, in.wpos, in.err = r, 0, 0, nil }

// Buffered is the number of bytes read and not consumed.
func (in *inbuf) Buffered() int { return in.wpos - in.rpos }

// Size is the buffer's size: the longest head the lane reads.
func (in *inbuf) Size() int { return len(in.buf) }

// room compacts the buffer and reports whether there is space to read into.
func (in *inbuf) room() bool {
	if in.rpos == in.wpos {
		in.rpos, in.wpos = 0, 0
	}
	if in.wpos == len(in.buf) && in.rpos > 0 {
		in.wpos = copy(in.buf, in.buf[in.rpos:in.wpos])
		in.rpos = 0
	}
	return in.wpos < len(in.buf)
}

// fill reads once more into the buffer.
func (in *inbuf) fill() error {
	if in.err != nil {
		return in.err
	}
	if !in.room() {
		return bufio.ErrBufferFull
	}
	for range 100 {
		n, err := in.r.Read(in.buf[in.wpos:])
		in.wpos += n
		if err != nil {
			in.err = err
			return err
		}
		if n > 0 {
			return nil
		}
	}
	in.err = io.ErrNoProgress
	return in.err
}

// Peek returns the next n bytes without consuming them, reading as needed;
// with fewer, it returns what there is and why.
func (in *inbuf) Peek(n int) ([]byte, error) {
	if n > len(in.buf) {
		return in.buf[in.rpos:in.wpos], bufio.ErrBufferFull
	}
	for in.Buffered() < n {
		if err := in.fill(); err != nil {
			return in.buf[in.rpos:in.wpos], err
		}
	}
	return in.buf[in.rpos : in.rpos+n], nil
}

// Discard consumes n buffered bytes.
func (in *inbuf) Discard(n int) {
	in.rpos += min(n, in.Buffered())
}

// ReadSlice returns the bytes up to and including delim, reading as
// needed; bufio.ErrBufferFull when the buffer fills first.
func (in *inbuf) ReadSlice(delim byte) ([]byte, error) {
	for searched := 0; ; {
		if i := bytes.IndexByte(in.buf[in.rpos+searched:in.wpos], delim); i >= 0 {
			line := in.buf[in.rpos : in.rpos+searched+i+1]
			in.rpos += searched + i + 1
			return line, nil
		}
		searched = in.Buffered()
		if in.rpos == 0 && in.wpos == len(in.buf) {
			line := in.buf[in.rpos:in.wpos]
			in.rpos = in.wpos
			return line, bufio.ErrBufferFull
		}
		if err := in.fill(); err != nil {
			line := in.buf[in.rpos:in.wpos]
			in.rpos = in.wpos
			return line, err
		}
	}
}

// Read reads buffered bytes first, then from the connection.
func (in *inbuf) Read(p []byte) (int, error) {
	if in.Buffered() == 0 {
		if len(p) >= len(in.buf) {
			return in.r.Read(p)
		}
		if err := in.fill(); err != nil && in.Buffered() == 0 {
			return 0, err
		}
	}
	n := copy(p, in.buf[in.rpos:in.wpos])
	in.rpos += n
	return n, nil
}
