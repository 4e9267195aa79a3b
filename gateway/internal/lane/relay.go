package lane

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// relay copies an answer's body from the upstream to the client, flushing
// what it has written whenever it is about to wait for the upstream, so a
// stream (SSE, chunked) reaches the client as it comes.
type relay struct {
	w          *outbuf
	r          *inbuf
	werr, rerr error
}

// fill makes sure the upstream buffer is not empty.
func (rl *relay) fill() bool {
	if rl.r.Buffered() > 0 {
		return true
	}
	if rl.w.Buffered() > 0 {
		if rl.werr = rl.w.Flush(); rl.werr != nil {
			return false
		}
	}
	if _, err := rl.r.Peek(1); err != nil {
		rl.rerr = err
		return false
	}
	return true
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
// size as the lane read it, strictly (hex digits; an extension after ';'
// is checked and dropped), the data, and at the end the trailer fields
// that parse as fields and are not framing, hop-by-hop or set by the
// gateway.
func (rl *relay) chunked() {
	var hdr [24]byte
	for {
		l := rl.line()
		if l == nil {
			return
		}
		size, ok := chunkSize(l)
		if !ok {
			rl.rerr = fmt.Errorf("%w: chunk size line %q", ErrUpstreamFraming, l)
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
		c := bytes.IndexByte(l, ':')
		if i == maxTrailers || c <= 0 || !validName(b2s(l[:c])) || !validValue(l[c+1:]) {
			rl.rerr = fmt.Errorf("%w: trailer field %q", ErrUpstreamFraming, l)
			return
		}
		switch kindOf(l[:c]) {
		case kOther, kContentType, kRetryAfter:
			if _, rl.werr = rl.w.Write(l[:len(l)+2]); rl.werr != nil { // the line with its CRLF
				return
			}
		}
	}
}

// chunkSize reads a chunk-size line (CRLF excluded): 1 to 15 hex digits,
// then nothing or ';' and an extension without control bytes. No
// whitespace, no sign, no "0x".
func chunkSize(l []byte) (uint64, bool) {
	var n uint64
	i := 0
	for ; i < len(l); i++ {
		c := l[i]
		var d byte
		switch {
		case '0' <= c && c <= '9':
			d = c - '0'
		case 'a' <= c && c <= 'f':
			d = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			d = c - 'A' + 10
		default:
			if i == 0 || c != ';' || !validValue(l[i+1:]) {
				return 0, false
			}
			return n, true
		}
		if i == 15 {
			return 0, false
		}
		n = n<<4 | uint64(d)
	}
	return n, i > 0
}
