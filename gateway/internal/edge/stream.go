package edge

import (
	"errors"
	"net/http"
	"sync"
)

// ErrDesync: the server handed the front a request this Stream did not
// see as the next one on the connection. It is refused, and the
// connection closed.
var ErrDesync = &Refusal{http.StatusBadRequest, "request stream out of step with the server's reading of it"}

// errTunnel: a request after a WebSocket upgrade request on the same
// connection, which the front answers with Connection: close unless it
// switched protocols.
var errTunnel = &Refusal{http.StatusBadRequest, "request after an upgrade request"}

// Stream follows the requests of one client connection from its bytes,
// as a server reads them: it admits each head (Admit) and follows each
// body's framing (BodyScanner). The net/http front feeds it every byte
// its server reads from a connection and asks it, for each request the
// server hands over, what Admit said of that request's head: so both
// fronts apply one admission to the bytes the client sent, including what
// net/http hides (a Content-Length beside Transfer-Encoding, Connection
// options, obs-fold, bare LF).
//
// Feed and Next may be called from different goroutines.
type Stream struct {
	// MaxHead bounds one request head (default 1 MiB, net/http's).
	MaxHead int

	mu      sync.Mutex
	state   uint8
	lead    int    // CRLF bytes before the head in buf
	buf     []byte // a partial head
	h       Head
	body    BodyScanner
	pending []Verdict // pending[next:] wait for Next
	next    int
	arena   []byte // pending verdicts' methods and targets
	err     error  // why the stream is broken
}

// Stream states.
const (
	inHead uint8 = iota
	inBody
	inTunnel // after a WebSocket upgrade request: the bytes are not HTTP
	broken   // after a refusal: every later request is refused
)

// Verdict is what Admit said of one request head.
type Verdict struct {
	Err       error // nil: admitted
	WebSocket bool
	Continue  bool
	method    [2]int // in the arena
	target    [2]int
}

// Feed reads p, the connection's next bytes. It returns how many of them
// the server may read, and an error when a body's framing is broken at
// that point (a chunk the server might read otherwise): the server must
// not get the rest. A head Admit refuses does not stop the bytes: the
// server reads the request, and Next refuses it.
func (s *Stream) Feed(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for n < len(p) {
		switch s.state {
		case inHead:
			n += s.feedHead(p[n:])
		case inBody:
			k, err := s.body.Scan(p[n:])
			n += k
			if err != nil {
				s.fail(err)
				return n, err
			}
			if s.body.Done() {
				s.state = inHead
			}
		default:
			return len(p), nil
		}
	}
	return n, nil
}

// feedHead takes p's bytes into the head being read and admits the head
// when it is complete. It returns how many bytes of p it took.
func (s *Stream) feedHead(p []byte) int {
	start := len(s.buf)
	s.buf = append(s.buf, p...)
	for s.lead+1 < len(s.buf) && s.buf[s.lead] == '\r' && s.buf[s.lead+1] == '\n' {
		s.lead += 2 // empty lines before a request line are ignored (RFC 9112 §2.2)
	}
	n, err := ScanHead(s.buf[s.lead:])
	maxHead := s.MaxHead
	if maxHead <= 0 {
		maxHead = 1<<20 + 4096
	}
	switch {
	case err != nil:
		s.refuse(err)
		return len(p)
	case n == 0 && len(s.buf) > maxHead:
		s.refuse(ErrHeadTooLarge)
		return len(p)
	case n == 0:
		return len(p)
	}
	took := s.lead + n - start
	head := s.buf[s.lead : s.lead+n]
	if err := s.h.Parse(head); err != nil {
		s.refuse(err)
		return len(p)
	}
	r := Admit(&s.h)
	if r.Err != nil {
		s.refuse(r.Err)
		return len(p)
	}
	v := Verdict{WebSocket: r.WebSocket, Continue: r.Continue}
	v.method = s.keep(r.Method)
	v.target = s.keep(r.Target)
	s.pending = append(s.pending, v)
	s.buf, s.lead = s.buf[:0], 0
	s.body.Reset(r.Body)
	switch {
	case r.WebSocket:
		s.state = inTunnel
	case !s.body.Done():
		s.state = inBody
	}
	return took
}

func (s *Stream) keep(b []byte) [2]int {
	i := len(s.arena)
	s.arena = append(s.arena, b...)
	return [2]int{i, len(s.arena)}
}

// refuse queues a refusal for the head being read and breaks the stream.
func (s *Stream) refuse(err error) {
	s.pending = append(s.pending, Verdict{Err: err})
	s.fail(err)
}

func (s *Stream) fail(err error) {
	s.state, s.err = broken, err
	s.buf = s.buf[:0]
}

// Next returns the verdict on the request the server hands over next,
// given its method and its target as sent (http.Request.RequestURI). It
// skips verdicts on "OPTIONS *" requests, which net/http may answer
// itself. A request Next cannot match with the next head it read, in
// order, is refused with ErrDesync.
func (s *Stream) Next(method, target string) Verdict {
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.next < len(s.pending) {
		v := s.pending[s.next]
		s.next++
		if v.Err != nil {
			s.reset()
			return v
		}
		m, t := s.arena[v.method[0]:v.method[1]], s.arena[v.target[0]:v.target[1]]
		if string(m) == method && string(t) == target {
			s.reset()
			return v
		}
		if string(m) == http.MethodOptions && string(t) == "*" {
			continue
		}
		s.fail(ErrDesync)
		return Verdict{Err: ErrDesync}
	}
	switch {
	case s.state == inTunnel:
		return Verdict{Err: errTunnel}
	case s.err != nil:
		return Verdict{Err: s.err}
	}
	s.fail(ErrDesync)
	return Verdict{Err: ErrDesync}
}

// reset drops the arena once no verdict is pending.
func (s *Stream) reset() {
	if s.next == len(s.pending) {
		s.pending, s.next, s.arena = s.pending[:0], 0, s.arena[:0]
	}
}

// IsRefusal reports whether err is one of the refusals of this package.
func IsRefusal(err error) bool {
	var r *Refusal
	return errors.As(err, &r)
}
