package lane

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/gantrykit/gantry/gateway/internal/edge"
)

// relay copies an answer's body from the upstream to the client, flushing
// what it has written whenever it is about to wait for the upstream, so a
// stream (SSE, chunked) reaches the client as it comes.
type relay struct {
	w          *outbuf
	r          *inbuf
	c          *upConn   // nil in tests: no deadline to move
	deadline   time.Time // the route's end; zero for a stream
	werr, rerr error
}

// fill makes sure the upstream buffer is not empty. The upstream socket's
// read deadline is still the one that bounded the answer's head (an early
// look at the client, or the attempt timeout): when it passes, fill moves
// it to the route's end and waits on, so only bodies slower than that pay
// for a timer update.
func (rl *relay) fill() bool {
	if rl.r.Buffered() > 0 {
		return true
	}
	if rl.w.Buffered() > 0 {
		if rl.werr = rl.w.Flush(); rl.werr != nil {
			return false
		}
	}
	for {
		_, err := rl.r.Peek(1)
		if err == nil {
			return true
		}
		if rl.c != nil && isTimeout(err) && (rl.deadline.IsZero() || time.Now().Before(rl.deadline)) {
			rl.c.setReadDeadline(rl.deadline, 0)
			rl.r.err = nil
			continue
		}
		rl.rerr = err
		return false
	}
}

// n relays the next n bytes.
func (rl *relay) n(n int64) {
	for n > 0 {
		if !rl.fill() {
			if rl.rerr == io.EOF {
				rl.rerr = io.ErrUnexpectedEOF
			}
			return
		}
		k := min(int64(rl.r.Buffered()), n)
		b, _ := rl.r.Peek(int(k))
		if _, rl.werr = rl.w.Write(b); rl.werr != nil {
			return
		}
		rl.r.Discard(int(k))
		n -= k
	}
}

// all relays everything until the upstream closes.
func (rl *relay) all() {
	for rl.fill() {
		b, _ := rl.r.Peek(rl.r.Buffered())
		if _, rl.werr = rl.w.Write(b); rl.werr != nil {
			return
		}
		rl.r.Discard(len(b))
	}
	if rl.rerr == io.EOF {
		rl.rerr = nil
	}
}

// line reads one CRLF-terminated line and returns it without its CRLF
// (valid until the next read); nil, with rerr set, when there is none.
func (rl *relay) line() []byte {
	if !rl.fill() {
		if rl.rerr == io.EOF {
			rl.rerr = io.ErrUnexpectedEOF
		}
		return nil
	}
	l, err := rl.r.ReadSlice('\n')
	if err != nil || len(l) < 2 || l[len(l)-2] != '\r' {
		rl.rerr = ErrUpstreamFraming
		if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
			rl.rerr = err
		}
		return nil
	}
	return l[:len(l)-2]
}

// maxTrailers bounds the trailer fields of a chunked answer.
const maxTrailers = 32

// chunked relays a chunked body, writing its framing anew: each chunk's
// size as the lane read it with edge.ParseChunkSize (hex digits, well-formed
// extensions, which are dropped), the data, and at the end the trailer
// fields that parse as fields and are end-to-end (edge.Other).
func (rl *relay) chunked() {
	var hdr [24]byte
	for {
		l := rl.line()
		if l == nil {
			return
		}
		size, err := edge.ParseChunkSize(l)
		if err != nil {
			rl.rerr = fmt.Errorf("%w: %w", ErrUpstreamFraming, err)
			return
		}
		if size == 0 {
			rl.trailers()
			return
		}
		h := append(strconv.AppendUint(hdr[:0], size, 16), '\r', '\n')
		if _, rl.werr = rl.w.Write(h); rl.werr != nil {
			return
		}
		rl.n(int64(size))
		if rl.werr != nil || rl.rerr != nil {
			return
		}
		if l := rl.line(); l == nil {
			return
		} else if len(l) != 0 {
			rl.rerr = fmt.Errorf("%w: chunk data longer than its size", ErrUpstreamFraming)
			return
		}
		if _, rl.werr = rl.w.Write([]byte("\r\n")); rl.werr != nil {
			return
		}
	}
}

// trailers relays the trailer section after the last chunk, then the
// final empty line.
func (rl *relay) trailers() {
	if _, rl.werr = rl.w.Write([]byte("0\r\n")); rl.werr != nil {
		return
	}
	for i := 0; ; i++ {
		l := rl.line()
		if l == nil {
			return
		}
		if len(l) == 0 {
			_, rl.werr = rl.w.Write([]byte("\r\n"))
			return
		}
		f, err := edge.ParseField(l)
		if i == maxTrailers || err != nil {
			rl.rerr = fmt.Errorf("%w: trailer field %q", ErrUpstreamFraming, l)
			return
		}
		if f.Kind == edge.Other { // never framing, hop-by-hop, trusted or guarded fields
			if _, rl.werr = rl.w.Write(l[:len(l)+2]); rl.werr != nil { // the line with its CRLF
				return
			}
		}
	}
}
