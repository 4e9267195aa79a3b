package lane

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"
)

// maxInformational bounds the 1xx answers skipped before the final one, as
// net/http's client does.
const maxInformational = 5

// receive reads the upstream's answer and relays it to the client. stale
// reports that the connection failed before a single byte came back.
func (r *Request) receive(c *upConn, x *Exchange, res *Result) (stale bool, err error) {
	br := c.in
	h := &r.resp
	var code, minor int
	for informational := 0; ; informational++ {
		n, err := readUpstreamHead(br)
		if err != nil {
			return informational == 0 && br.Buffered() == 0 && !isTimeout(err), err
		}
		buf, _ := br.Peek(n)
		if !h.parse(buf, n) {
			return false, ErrUpstreamHead
		}
		if code, minor = statusOf(h.line); code == 0 {
			return false, ErrUpstreamHead
		}
		if code >= 200 {
			break
		}
		if code == http.StatusSwitchingProtocols || informational == maxInformational {
			return false, ErrUpstreamHead // never asked for, or too many
		}
		br.Discard(n) // 1xx informational: skip
	}
	res.Status = code
	res.Overloaded = (code == http.StatusServiceUnavailable || code == http.StatusTooManyRequests) && h.get(kRetryAfter) != nil
	switch code {
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		if x.MayRetry != nil && x.MayRetry() {
			res.Retry = true
			return false, ErrRetryableStatus
		}
	}
	length, chunked, ok := framing(h)
	if !ok || chunked && minor == 0 { // HTTP/1.0 has no transfer codings: a faulty message (RFC 9112 section 6.1)

		return false, ErrUpstreamFraming
	}
	bodyless := r.method == http.MethodHead || code == http.StatusNoContent || code == http.StatusNotModified
	keep := minor == 1 && (h.conn == nil || !hasToken(h.conn, "close")) ||
		minor == 0 && h.conn != nil && hasToken(h.conn, "keep-alive")
	untilClose := !bodyless && !chunked && length < 0
	if !bodyless && bytes.HasPrefix(h.get(kContentType), []byte("text/event-stream")) {
		c.setReadDeadline(time.Time{}, 0) // a stream outlives the route timeout, which bounded its start
	} else if x.HeadDeadline != x.Deadline {
		c.setReadDeadline(x.Deadline, 0) // the head came in time; the body is the route timeout's
	}

	cw := r.c.bw
	if cw.err != nil {
		return false, ErrClientGone
	}
	b := append(cw.b, "HTTP/1.1 "...)
	b = append(append(b, h.line[9:]...), "\r\n"...)
	b = h.appendLines(b, func(f *field) bool {
		switch f.kind {
		case kOther:
			return f.named
		case kContentLength, kTransferEncoding, kConnection, kHop, kUpgrade, kTE, kRequestID:
			return true // framing and hop-by-hop: written by the lane below
		}
		return false
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

// framing reads how an answer's body is framed: its length, or chunked, or
// neither (until close). It refuses (ok false) Content-Length with
// Transfer-Encoding, any transfer coding but one "chunked", and
// Content-Length fields that are not one plain number or disagree.
func framing(h *head) (length int64, chunked, ok bool) {
	cls, tes := h.count(kContentLength), h.count(kTransferEncoding)
	switch {
	case tes > 0 && cls > 0, tes > 1:
		return -1, false, false
	case tes == 1:
		v := h.get(kTransferEncoding)
		return -1, true, len(v) == 7 && bytes.EqualFold(v, []byte("chunked"))
	}
	length = -1
	for i := range h.fields {
		if h.fields[i].kind != kContentLength {
			continue
		}
		v, ok := parseLength(h.fields[i].value)
		if !ok || length >= 0 && int64(v) != length {
			return -1, false, false
		}
		length = int64(v)
	}
	return length, false, true
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
			return 0, ErrUpstreamHead
		case len(buf) == br.Size():
			return 0, ErrUpstreamHeadSize
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
