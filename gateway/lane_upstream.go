package gateway

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	httpt "github.com/gantrykit/gantry/transport/http"
)

var (
	errUpstreamHead     = errors.New("upstream sent a malformed response head")
	errUpstreamHeadSize = errors.New("upstream response head larger than the read buffer")
	errUpstreamFraming  = errors.New("upstream sent a body the gateway cannot frame")
)

// exchange is one upstream attempt for a lane request: the request written
// from the client's head, the answer's head and body relayed to the client.
// It reports like the ReverseProxy hooks do, through a: status, err,
// retryErr, overloaded, timedOut; committed once the client got the head.
// A reused keep-alive connection that fails before any answer (the
// instance closed it while idle) is replaced once more by a new one when
// the request is replayable; one that is not goes only on a connection
// that looks open (closedByPeer), and its failure is final.
func (r *laneReq) exchange(a *attempt, in *instance) {
	pool := r.gw.lanePool
	r.attemptDL = r.deadline
	if at := a.rt.attempt; at > 0 {
		if d := a.start.Add(at); d.Before(r.deadline) {
			r.attemptDL = d // until the answer's head; then the route's deadline again
		}
	}
	replayable := r.replayable()
	for {
		c, reused := pool.idleConn(in.url.Host, a.start), true
		for c != nil && !replayable && c.closedByPeer() {
			// A request that must not be sent twice is not sent on a
			// connection the instance has already closed: a failure there
			// could not be retried.
			c.nc.Close()
			c = pool.idleConn(in.url.Host, a.start)
		}
		if c == nil {
			reused = false
			ctx, cancel := context.WithDeadline(context.Background(), r.attemptDL)
			var err error
			c, err = pool.dial(ctx, in.url.Host)
			cancel()
			if err != nil {
				r.fail(a, err, false)
				return
			}
		}
		// The read deadline bounds the wait for the answer, in steps of
		// clientCheck (see roundTrip); a write that cannot finish at once
		// gets the attempt's deadline (sendThenRead).
		c.setReadDeadline(earlier(r.attemptDL, a.start.Add(clientCheck)), min(10*time.Millisecond, r.attemptDL.Sub(a.start)/32))
		r.c.up.Store(c)
		stale, err := r.roundTrip(c, a, in)
		r.c.up.Store(nil)
		if err == nil {
			return
		}
		c.nc.Close()
		if stale && reused && replayable {
			continue
		}
		r.fail(a, err, err == errClientGone)
		return
	}
}

// clientCheck is how long the lane waits on an upstream's answer before it
// looks whether the client is still there, and again after each look. A
// client that hung up ends the attempt and closes the upstream connection,
// as net/http's front cancels the request when its client goes: the
// instance stops working for nobody. Only answers slower than this pay
// for the look.
const clientCheck = 250 * time.Millisecond

// earlier returns the earlier of a and b.
func earlier(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// setReadDeadline sets c's read deadline to d, unless the one it has is
// already no later than d and at most slack earlier: a connection in
// steady use then keeps its timer instead of moving it per request. A
// deadline that fires early is a look at the client (roundTrip), after
// which the wait goes on until the attempt's own deadline. The lane allows
// 1/32 of the timeout, at most 10 ms.
func (c *h1Conn) setReadDeadline(d time.Time, slack time.Duration) {
	if !d.IsZero() && !c.rdl.IsZero() && !c.rdl.After(d) && d.Sub(c.rdl) <= slack {
		return
	}
	c.rdl = d
	_ = c.nc.SetReadDeadline(d)
}

// roundTrip sends the request on c and relays the answer. stale reports
// that c failed before a single byte came back: a connection the instance
// closed while it sat idle in the pool.
func (r *laneReq) roundTrip(c *h1Conn, a *attempt, in *instance) (stale bool, err error) {
	r.send(c.out, a, in)
	c.out.nc, c.out.deadline = c.nc, r.attemptDL
	err = c.out.sendThenRead(c.rc, c.in)
	for err != nil && c.out.err == nil && c.in.Buffered() == 0 && isTimeout(err) {
		// Sent, and no answer yet: unless the attempt's time is up, the
		// deadline was a look at the client (clientCheck).
		now := time.Now()
		if !now.Before(r.attemptDL) {
			break
		}
		if r.c.hungUp() {
			return false, errClientGone
		}
		c.in.err = nil
		c.setReadDeadline(earlier(r.attemptDL, now.Add(clientCheck)), 0)
		err = c.in.fill()
	}
	if err != nil {
		return c.in.Buffered() == 0 && !isTimeout(err), err
	}
	return r.receive(c, a)
}

// fail records an attempt's failure; client tells whether writing to the
// client failed rather than the upstream.
func (r *laneReq) fail(a *attempt, err error, client bool) {
	switch {
	case client:
		r.gone = true
	case isTimeout(err) && !a.committed && r.attemptDL.Before(r.deadline):
		err = errAttemptTimeout // the instance, not the route, ran out of time
	case isTimeout(err):
		a.timedOut.Store(true)
	}
	if a.committed {
		r.broken = true // the client has part of an answer: end its connection
	}
	if a.err == nil {
		a.err = err
	}
}

// send buffers the upstream request in w: the client's request line and
// fields minus hop-by-hop and edge-owned ones, then the gateway's own
// fields.
func (r *laneReq) send(w *outbuf, a *attempt, in *instance) {
	rt := a.rt
	b := w.b // appended to directly: a head may grow the buffer past its size
	b = append(append(b, r.method...), ' ')
	p := r.path
	if rt.strip || rt.rewrite != "" {
		p = rt.upstreamPath(p, a.matched)
	}
	if base := in.url.Path; base != "" {
		p = joinPath(base, p)
	}
	b = append(b, p...)
	if q := in.url.RawQuery; q != "" || len(r.query) > 0 {
		b = append(append(b, '?'), q...)
		if q != "" && len(r.query) > 0 {
			b = append(b, '&')
		}
		b = append(b, r.query...)
	}
	b = append(b, " HTTP/1.1\r\nHost: "...)
	b = append(b, in.url.Host...) // as httputil.ProxyRequest.SetURL leaves it
	b = append(b, "\r\n"...)
	trailers := false
	up := &rt.up.cfg
	dropToken := rt.jwt && !up.ForwardToken // verified here: the claims go instead
	b = r.h.appendLines(b, func(f *field) bool {
		switch f.kind {
		case kHost, kForwarding, kRequestID, kClaims, kTraceparent, kTracestate, kTimeout:
			return true
		case kAuthorization:
			return dropToken
		case kTE: // only "TE: trailers" passes, as in httputil.ReverseProxy
			trailers = trailers || bytes.EqualFold(f.value, []byte("trailers"))
			return true
		}
		return f.drop
	})
	if trailers {
		b = append(b, "Te: trailers\r\n"...)
	}
	ip := r.c.ip
	b = append(append(b, "X-Forwarded-For: "...), ip...)
	b = append(append(b, "\r\nX-Forwarded-Host: "...), r.host...)
	b = append(b, "\r\nX-Forwarded-Proto: http\r\n"...)
	if up.Forwarded {
		b = append(b, "Forwarded: for=\""...)
		if strings.IndexByte(ip, ':') >= 0 {
			b = append(append(append(b, '['), ip...), ']')
		} else {
			b = append(b, ip...)
		}
		b = append(b, "\";host=\""...)
		if bytes.IndexByte(r.host, '"') < 0 {
			b = append(b, r.host...)
		} else {
			for _, ch := range r.host {
				if ch != '"' {
					b = append(b, ch)
				}
			}
		}
		b = append(b, "\";proto=http\r\n"...)
	}
	b = append(append(b, "X-Request-Id: "...), a.reqID...)
	b = append(b, "\r\n"+httpt.HeaderTimeout+": "...)
	b = append(httpt.AppendTimeout(b, r.attemptDL.Sub(a.start)), "\r\n"...)
	if a.claims != "" {
		b = append(append(append(b, claimsHeader...), ": "...), a.claims...)
		b = append(b, "\r\n"...)
	}
	if sc := a.span.SpanContext(); sc.IsValid() {
		tid, sid := sc.TraceID(), sc.SpanID()
		b = append(b, "Traceparent: 00-"...)
		b = hex.AppendEncode(b, tid[:])
		b = append(b, '-')
		b = hex.AppendEncode(b, sid[:])
		b = append(b, '-')
		b = hex.AppendEncode(b, []byte{byte(sc.TraceFlags())})
		b = append(b, "\r\n"...)
		if ts := sc.TraceState().String(); ts != "" {
			b = append(append(append(b, "Tracestate: "...), ts...), "\r\n"...)
		}
	}
	w.b = append(append(b, "\r\n"...), r.body...)
}

// joinPath joins an instance's base path and the request path with one
// slash, as httputil.ProxyRequest.SetURL does.
func joinPath(base, p string) string {
	a, b := strings.HasSuffix(base, "/"), strings.HasPrefix(p, "/")
	switch {
	case a && b:
		return base + p[1:]
	case !a && !b:
		return base + "/" + p
	}
	return base + p
}

// receive reads the upstream's answer and relays it to the client. stale
// reports that the connection failed before a single byte came back.
func (r *laneReq) receive(c *h1Conn, a *attempt) (stale bool, err error) {
	br := c.in
	h := &r.resp
	var code, minor int
	for first := true; ; first = false {
		n, err := readUpstreamHead(br)
		if err != nil {
			return first && br.Buffered() == 0 && !isTimeout(err), err
		}
		buf, _ := br.Peek(n)
		if !h.parse(buf, n) {
			return false, errUpstreamHead
		}
		if code, minor = statusOf(h.line); code == 0 {
			return false, errUpstreamHead
		}
		if code >= 200 {
			break
		}
		if code == http.StatusSwitchingProtocols {
			return false, errUpstreamHead // never asked for
		}
		br.Discard(n) // 1xx informational: skip
	}
	a.status = code
	a.overloaded = (code == http.StatusServiceUnavailable || code == http.StatusTooManyRequests) && h.get(kRetryAfter) != nil
	switch code {
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		if a.mayRetry() {
			a.retryErr = true
			return false, errRetryableStatus{code}
		}
	}

	bodyless := r.method == http.MethodHead || code == http.StatusNoContent || code == http.StatusNotModified
	length, chunked := int64(-1), false
	if !bodyless {
		if te := h.get(kTransferEncoding); te != nil {
			if h.count(kTransferEncoding) != 1 || !bytes.EqualFold(trimOWS(te), []byte("chunked")) {
				return false, errUpstreamFraming
			}
			chunked = true
		} else if cl := h.get(kContentLength); cl != nil {
			if length = contentLength(h); length < 0 {
				return false, errUpstreamFraming
			}
		}
	}
	keep := minor == 1 && (h.conn == nil || !hasToken(h.conn, "close")) ||
		minor == 0 && h.conn != nil && hasToken(h.conn, "keep-alive")
	untilClose := !bodyless && !chunked && length < 0
	if !bodyless && bytes.HasPrefix(h.get(kContentType), []byte("text/event-stream")) {
		c.setReadDeadline(time.Time{}, 0) // a stream outlives the route timeout, which bounded its start
	} else if r.attemptDL != r.deadline {
		c.setReadDeadline(r.deadline, 0) // the head came in time; the body is the route timeout's
	}

	cw := r.c.bw
	if cw.err != nil {
		r.fail(a, cw.err, true)
		return false, nil
	}
	b := append(cw.b, "HTTP/1.1 "...)
	b = append(append(b, h.line[9:]...), "\r\n"...)
	b = h.appendLines(b, func(f *field) bool {
		return f.drop || f.kind == kRequestID || chunked && f.kind == kContentLength
	})
	if chunked {
		b = append(b, "Transfer-Encoding: chunked\r\n"...)
	}
	b = append(append(append(b, "X-Request-Id: "...), a.reqID...), "\r\n"...)
	if untilClose || r.close || r.c.fp.draining.Load() {
		r.close = true
		b = append(b, "Connection: close\r\n"...)
	}
	cw.b = append(b, "\r\n"...)
	br.Discard(h.n)
	a.committed = true

	rl := relay{w: cw, r: br}
	switch {
	case bodyless:
	case chunked:
		rl.chunked()
	case length >= 0:
		rl.n(length)
	default:
		rl.all()
		keep = false
	}
	if rl.werr != nil || rl.rerr != nil {
		c.nc.Close()
		if rl.werr != nil {
			r.fail(a, rl.werr, true)
		} else {
			r.fail(a, rl.rerr, false)
		}
		return false, nil // recorded in a: not the connection-level error
	}
	if keep {
		r.gw.lanePool.putAt(c, a.start)
	} else {
		c.nc.Close()
	}
	return false, nil
}

// readUpstreamHead waits until br holds a complete response head.
func readUpstreamHead(br *inbuf) (int, error) {
	for {
		buf, _ := br.Peek(br.Buffered())
		n, st := scanHead(buf)
		switch {
		case st == headComplete:
			return n, nil
		case st == headInvalid:
			return 0, errUpstreamHead
		case len(buf) == br.Size():
			return 0, errUpstreamHeadSize
		}
		if _, err := br.Peek(len(buf) + 1); err != nil {
			if errors.Is(err, io.EOF) && len(buf) > 0 {
				err = io.ErrUnexpectedEOF
			}
			return 0, err
		}
	}
}

// statusOf parses "HTTP/1.x NNN reason" and returns the code and x, or 0.
func statusOf(line []byte) (code, minor int) {
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' || len(line) > 12 && line[12] != ' ' {
		return 0, 0
	}
	switch line[7] {
	case '0', '1':
		minor = int(line[7] - '0')
	default:
		return 0, 0
	}
	for _, ch := range line[9:12] {
		if ch < '0' || ch > '9' {
			return 0, 0
		}
		code = code*10 + int(ch-'0')
	}
	if code < 100 {
		return 0, 0
	}
	return code, minor
}

// contentLength is the answer's length: every Content-Length field must
// agree. It returns -1 for a bad or conflicting value.
func contentLength(h *head) int64 {
	n := int64(-1)
	for i := range h.fields {
		if h.fields[i].kind != kContentLength {
			continue
		}
		v, err := strconv.ParseInt(b2s(h.fields[i].value), 10, 64)
		if err != nil || v < 0 || n >= 0 && v != n {
			return -1
		}
		n = v
	}
	return n
}

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

// line relays one CRLF-terminated line and returns it (valid until the
// next read).
func (rl *relay) line() []byte {
	if !rl.fill() {
		if rl.rerr == io.EOF {
			rl.rerr = io.ErrUnexpectedEOF
		}
		return nil
	}
	l, err := rl.r.ReadSlice('\n')
	if err != nil || len(l) < 2 || l[len(l)-2] != '\r' {
		rl.rerr = errUpstreamFraming
		if err != nil && err != bufio.ErrBufferFull {
			rl.rerr = err
		}
		return nil
	}
	if _, rl.werr = rl.w.Write(l); rl.werr != nil {
		return nil
	}
	return l
}

// chunked relays a chunked body as it is, chunk extensions and trailers
// included, checking its framing.
func (rl *relay) chunked() {
	for {
		l := rl.line()
		if l == nil {
			return
		}
		size := l[:len(l)-2]
		if i := bytes.IndexByte(size, ';'); i >= 0 {
			size = size[:i]
		}
		n, err := strconv.ParseUint(b2s(trimOWS(size)), 16, 62)
		if err != nil {
			rl.rerr = fmt.Errorf("%w: chunk size %q", errUpstreamFraming, size)
			return
		}
		if n == 0 {
			for { // trailers, then the empty line
				l := rl.line()
				if l == nil {
					return
				}
				if len(l) == 2 {
					return
				}
			}
		}
		rl.n(int64(n))
		if l := rl.line(); l == nil {
			return
		} else if len(l) != 2 {
			rl.rerr = errUpstreamFraming
			return
		}
	}
}
