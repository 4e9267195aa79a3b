package lane

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/gantrykit/gantry/gateway/internal/edge"
)

// maxInformational bounds the 1xx answers skipped before the final one, as
// net/http's client does.
const maxInformational = 5

// receive reads the upstream's answer, checks it with the gateway's one
// policy (edge.Head.Parse, edge.CheckResponse) and relays it to the client
// with framing of its own. stale reports that the connection failed
// before a single byte came back.
func (r *Request) receive(c *upConn, x *Exchange, res *Result) (stale bool, err error) {
	br := c.in
	h := &r.resp
	isHead := r.method == http.MethodHead
	var ar edge.Response
	for informational := 0; ; informational++ {
		n, err := readUpstreamHead(br, c, x.HeadDeadline)
		if err != nil {
			return informational == 0 && br.Buffered() == 0 && !isTimeout(err), err
		}
		buf, _ := br.Peek(n)
		if err := h.parse(buf, n); err != nil {
			return false, fmt.Errorf("%w: %w", ErrUpstreamHead, err)
		}
		if ar, err = edge.CheckResponse(&h.eh, isHead); err != nil {
			return false, fmt.Errorf("%w: %w", ErrUpstreamFraming, err)
		}
		if ar.Code >= 200 {
			break
		}
		if ar.Code == http.StatusSwitchingProtocols || informational == maxInformational {
			return false, ErrUpstreamHead // never asked for, or too many
		}
		br.Discard(n) // 1xx informational: skip
	}
	code := ar.Code
	res.Status = code
	res.Overloaded = (code == http.StatusServiceUnavailable || code == http.StatusTooManyRequests) && h.get(kRetryAfter) != nil
	switch code {
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		if x.MayRetry != nil && x.MayRetry() {
			res.Retry = true
			return false, ErrRetryableStatus
		}
	}
	bodyless := isHead || code == http.StatusNoContent || code == http.StatusNotModified
	chunked, length := ar.Body.Chunked, ar.Body.Length
	if bodyless {
		// The framing a HEAD or 304 answer would have had, passed on as
		// the lane read it; no body follows.
		chunked, length = h.get(kTransferEncoding) != nil, -1
		if v := h.get(kContentLength); v != nil {
			length, _ = edge.ParseLength(v) // checked by CheckResponse
		}
	}
	keep := !ar.Close
	untilClose := !bodyless && !chunked && length < 0
	rl := relay{w: r.c.bw, r: br, c: c, deadline: x.Deadline} // the body is the route timeout's
	if !bodyless && bytes.HasPrefix(h.get(kContentType), []byte("text/event-stream")) {
		rl.deadline = time.Time{} // a stream outlives the route timeout, which bounded its start
		c.setReadDeadline(time.Time{}, 0)
	}

	cw := r.c.bw
	if cw.err != nil {
		return false, ErrClientGone
	}
	b := append(cw.b, "HTTP/1.1 "...)
	b = append(append(b, h.eh.Line[9:]...), "\r\n"...)
	b = h.appendLines(b, func(f *edge.Field, e *fieldExt) bool {
		return edge.ForwardResponseField(f.Kind, e.named, b2s(f.Name)) // framing and hop-by-hop: the lane's own below
	})
	switch {
	case code == http.StatusNoContent:
	case chunked:
		b = append(b, "Transfer-Encoding: chunked\r\n"...)
	case length >= 0:
		b = append(strconv.AppendInt(append(b, "Content-Length: "...), length, 10), "\r\n"...)
	}
	b = append(append(append(b, "X-Request-Id: "...), x.RequestID...), "\r\n"...)
	if untilClose || r.close || r.c.l.draining.Load() {
		r.close = true
		b = append(b, "Connection: close\r\n"...)
	}
	cw.b = append(b, "\r\n"...)
	br.Discard(h.n)
	r.committed = true

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
	switch {
	case rl.werr != nil:
		return false, ErrClientGone
	case rl.rerr != nil:
		return false, rl.rerr
	}
	if keep {
		r.c.l.pool.put(c, x.Start)
	} else {
		c.nc.Close()
	}
	return false, nil
}

// readUpstreamHead waits until br holds a complete response head, until
// deadline: the socket's read deadline may be an earlier look at the
// client (clientCheck), which a head that comes in pieces must not be cut
// at, so it is moved to deadline when it passes.
func readUpstreamHead(br *inbuf, c *upConn, deadline time.Time) (int, error) {
	for {
		buf, _ := br.Peek(br.Buffered())
		n, err := edge.ScanHead(buf)
		switch {
		case err != nil:
			return 0, fmt.Errorf("%w: %w", ErrUpstreamHead, err)
		case n > 0:
			return n, nil
		case len(buf) == br.Size():
			return 0, ErrUpstreamHeadSize
		}
		if _, err := br.Peek(len(buf) + 1); err != nil {
			if c != nil && isTimeout(err) && time.Now().Before(deadline) {
				c.setReadDeadline(deadline, 0)
				br.err = nil
				continue
			}
			if errors.Is(err, io.EOF) && len(buf) > 0 {
				err = io.ErrUnexpectedEOF
			}
			return 0, err
		}
	}
}
