package edge

import (
	"bytes"
	"fmt"
)

// MaxChunkLine bounds a chunk-size line and a trailer line.
const MaxChunkLine = 4096

// ParseChunkSize parses a chunk-size line (CRLF excluded) by RFC 9112
// §7.1, stricter where servers disagree: 1 to 15 hex digits, then chunk
// extensions (*( ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] )),
// nothing else: no leading whitespace, no "0x", no sign, no whitespace
// after the size (RFC 9112 allows it before ";", net/http does not).
func ParseChunkSize(line []byte) (uint64, error) {
	i := 0
	var n uint64
	for i < len(line) && isHex(line[i]) {
		if i == 15 {
			return 0, fmt.Errorf("%w: chunk size too large", ErrChunk)
		}
		n = n<<4 | uint64(unhex(line[i]))
		i++
	}
	if i == 0 {
		return 0, fmt.Errorf("%w: chunk size %q", ErrChunk, line)
	}
	if err := chunkExt(line[i:]); err != nil {
		return 0, err
	}
	return n, nil
}

// chunkExt checks the chunk extensions after a chunk size.
func chunkExt(ext []byte) error {
	if len(ext) == 0 {
		return nil
	}
	if !validExt(ext) {
		return fmt.Errorf("%w: chunk extension %q", ErrChunk, ext)
	}
	return nil
}

func validExt(b []byte) bool {
	bws := func() {
		for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
			b = b[1:]
		}
	}
	token := func() bool {
		i := 0
		for i < len(b) && IsToken(b[i]) {
			i++
		}
		b = b[i:]
		return i > 0
	}
	for len(b) > 0 {
		if b[0] != ';' {
			return false
		}
		b = b[1:]
		bws()
		if !token() {
			return false
		}
		bws()
		if len(b) == 0 || b[0] != '=' {
			continue
		}
		b = b[1:]
		bws()
		if len(b) > 0 && b[0] == '"' {
			if !quoted(&b) {
				return false
			}
		} else if !token() {
			return false
		}
	}
	return true
}

// quoted consumes a quoted-string at the start of *b.
func quoted(b *[]byte) bool {
	s := *b
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			*b = s[i+1:]
			return true
		case c == '\\':
			if i+1 == len(s) || s[i+1] < ' ' && s[i+1] != '\t' || s[i+1] == 0x7f {
				return false
			}
			i++
		case c < ' ' && c != '\t' || c == 0x7f:
			return false
		}
	}
	return false
}

// Body scanner states.
const (
	sLength  uint8 = iota // left bytes of a Content-Length body
	sSize                 // a chunk-size line
	sData                 // left bytes of a chunk's data
	sDataEnd              // the CRLF after a chunk's data; left counts its bytes seen
	sTrailer              // trailer lines, until the empty one
	sDone
	sClose // until the connection closes
)

// BodyScanner follows one body's framing over the bytes of a stream as
// they come, in pieces of any size, without holding the body: the
// net/http front checks each request body with it as net/http reads it,
// so a body it would read differently never goes further. Reset it for
// each body.
type BodyScanner struct {
	state uint8
	left  uint64
	line  []byte // a partial line, at most MaxChunkLine
	err   error
}

// Reset starts a body framed as b.
func (s *BodyScanner) Reset(b Body) {
	s.line, s.err = s.line[:0], nil
	switch {
	case b.Chunked:
		s.state = sSize
	case b.Length < 0:
		s.state = sClose
	case b.Length == 0:
		s.state = sDone
	default:
		s.state, s.left = sLength, uint64(b.Length)
	}
}

// Done reports whether the body has ended.
func (s *BodyScanner) Done() bool { return s.state == sDone }

// Scan consumes p, the stream's next bytes. It returns how many of them
// belong to the body, framing included: fewer than len(p) when the body
// ended inside p (the rest is the next message's) or on an error, which
// is sticky.
func (s *BodyScanner) Scan(p []byte) (int, error) {
	n := 0
	for n < len(p) && s.err == nil {
		switch s.state {
		case sDone:
			return n, nil
		case sClose:
			return len(p), nil
		case sLength, sData:
			k := min(uint64(len(p)-n), s.left)
			n += int(k)
			if s.left -= k; s.left == 0 {
				if s.state == sLength {
					s.state = sDone
				} else {
					s.state = sDataEnd
				}
			}
		case sDataEnd:
			want := "\r\n"[s.left]
			if p[n] != want {
				s.err = fmt.Errorf("%w: chunk data not followed by CRLF", ErrChunk)
				return n, s.err
			}
			n++
			if s.left++; s.left == 2 {
				s.state, s.left = sSize, 0
			}
		case sSize, sTrailer:
			k, line := s.takeLine(p[n:])
			n += k
			if line != nil {
				s.endLine(line)
			}
		}
	}
	return n, s.err
}

// takeLine consumes p up to and including the first LF. It returns the
// bytes consumed and the complete line without its CRLF, or nil while the
// line goes on past p.
func (s *BodyScanner) takeLine(p []byte) (int, []byte) {
	i := bytes.IndexByte(p, '\n')
	if i < 0 {
		if len(s.line)+len(p) > MaxChunkLine {
			s.err = fmt.Errorf("%w: line longer than %d bytes", ErrChunk, MaxChunkLine)
			return 0, nil
		}
		s.line = append(s.line, p...)
		return len(p), nil
	}
	line := p[:i+1]
	if len(s.line) > 0 {
		s.line = append(s.line, line...)
		line = s.line
	}
	if len(line) > MaxChunkLine {
		s.err = fmt.Errorf("%w: line longer than %d bytes", ErrChunk, MaxChunkLine)
		return 0, nil
	}
	if len(line) < 2 || line[len(line)-2] != '\r' {
		s.err = ErrBareLF
		return 0, nil
	}
	line = line[:len(line)-2]
	if bytes.IndexByte(line, '\r') >= 0 {
		s.err = ErrBareCR
		return 0, nil
	}
	s.line = s.line[:0] // line stays valid: endLine reads it before the next append
	return i + 1, line
}

// endLine acts on a complete chunk-size or trailer line.
func (s *BodyScanner) endLine(line []byte) {
	if s.state == sTrailer {
		if len(line) == 0 {
			s.state = sDone
			return
		}
		if _, err := ParseField(line); err != nil {
			s.err = err
		}
		return
	}
	size, err := ParseChunkSize(line)
	switch {
	case err != nil:
		s.err = err
	case size == 0:
		s.state = sTrailer
	default:
		s.state, s.left = sData, size
	}
}
