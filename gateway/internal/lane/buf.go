package lane

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"time"
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
	x        sendRead // sendThenRead's state (sys_*.go)
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
