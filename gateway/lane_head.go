package gateway

import (
	"bytes"
	"encoding/binary"
	"unsafe"
)

// head is one HTTP/1.1 message head (a request or a response) parsed in
// place: its slices point into the reader's buffer and are valid until the
// reader is read again. The fast lane parses strictly: anything it does not
// read exactly as written here (bare LF line ends, folded lines, odd bytes)
// is left to net/http, which answers with its own errors.
type head struct {
	raw    []byte // the whole head
	n      int    // length of the head, the final CRLF included
	line   []byte // start line, CRLF excluded
	fields []field
	conn   []byte // comma-joined tokens of the Connection fields, when several
	store  [maxFields]field
}

// field is one header field; kind classifies the names the gateway reads
// or rewrites.
type field struct {
	name, value []byte
	off, end    int // the field's line in head.raw, CRLF included
	kind        fieldKind
	drop        bool // hop-by-hop, or named by Connection
}

type fieldKind uint8

const (
	kOther fieldKind = iota
	kHost
	kContentLength
	kTransferEncoding
	kConnection
	kUpgrade
	kExpect
	kAuthorization
	kRequestID
	kTraceparent
	kTracestate
	kAcceptVersion
	kAccept
	kHop // Keep-Alive, Proxy-Connection, Proxy-Authenticate, Proxy-Authorization, Trailer
	kTE
	kForwarding // X-Forwarded-For/Host/Proto, Forwarded: replaced at the edge
	kClaims     // the gateway's own claims header: never taken from a client
	kRetryAfter
	kContentType
	kTimeout // Gantry-Timeout: set by the gateway, never taken from a client
	kIdempotencyKey
)

// maxFields bounds the fields the lane handles; a longer head goes to
// net/http.
const maxFields = 64

// headStatus is what scanHead found in a buffer.
type headStatus uint8

const (
	headIncomplete headStatus = iota
	headComplete
	headInvalid
)

// scanHead looks for the end of a head in buf: the first empty line. Every
// line must end in CRLF; a bare LF makes the head invalid for the lane.
func scanHead(buf []byte) (int, headStatus) {
	start := 0
	for {
		i := bytes.IndexByte(buf[start:], '\n')
		if i < 0 {
			return 0, headIncomplete
		}
		end := start + i
		if end == start || buf[end-1] != '\r' {
			return 0, headInvalid
		}
		if end == start+1 { // "\r\n": the empty line
			if start == 0 {
				return 0, headInvalid // no start line
			}
			return end + 1, headComplete
		}
		start = end + 1
	}
}

// parse splits buf[:n], a complete head found by scanHead, into its start
// line and fields. It reports false for anything but plain token names
// followed by a colon and values without control bytes.
func (h *head) parse(buf []byte, n int) bool {
	h.n, h.raw = n, buf[:n]
	h.fields = h.store[:0]
	h.conn = nil
	b := buf[:n-2] // without the final CRLF
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		i = len(b) + 1 // the start line alone
	}
	h.line = b[:i-1]
	for p := i + 1; p < len(b); {
		e := p + bytes.IndexByte(b[p:], '\n')
		line, off := b[p:e-1], p
		p = e + 1
		c := bytes.IndexByte(line, ':')
		if c <= 0 || len(h.fields) == maxFields {
			return false
		}
		name := line[:c]
		for _, ch := range name {
			if !isToken(ch) {
				return false
			}
		}
		v := trimOWS(line[c+1:])
		if !validValue(v) {
			return false
		}
		f := field{name: name, value: v, off: off, end: p, kind: kindOf(name)}
		switch f.kind {
		case kConnection, kTransferEncoding, kUpgrade, kHop, kTE:
			f.drop = true
		}
		if f.kind == kConnection {
			if h.conn == nil {
				h.conn = v
			} else {
				h.conn = append(append(append([]byte(nil), h.conn...), ','), v...)
			}
		}
		h.fields = append(h.fields, f)
	}
	if h.conn != nil {
		h.dropConnectionTokens()
	}
	return true
}

// dropConnectionTokens marks the fields the Connection header names as
// hop-by-hop.
func (h *head) dropConnectionTokens() {
	for tok := range bytes.SplitSeq(h.conn, []byte(",")) {
		tok = trimOWS(tok)
		if len(tok) == 0 {
			continue
		}
		for i := range h.fields {
			if bytes.EqualFold(h.fields[i].name, tok) {
				h.fields[i].drop = true
			}
		}
	}
}

// appendLines appends the lines of the fields skip does not name, as they
// came, copying runs of consecutive kept lines at once.
func (h *head) appendLines(b []byte, skip func(*field) bool) []byte {
	start, end := -1, 0
	for i := range h.fields {
		f := &h.fields[i]
		if skip(f) {
			if start >= 0 {
				b = append(b, h.raw[start:end]...)
				start = -1
			}
			continue
		}
		if start < 0 {
			start = f.off
		}
		end = f.end
	}
	if start >= 0 {
		b = append(b, h.raw[start:end]...)
	}
	return b
}

// hasToken reports whether the comma-separated list v holds tok, ignoring
// case.
func hasToken(v []byte, tok string) bool {
	for t := range bytes.SplitSeq(v, []byte(",")) {
		if t = trimOWS(t); len(t) == len(tok) && bytes.EqualFold(t, s2b(tok)) {
			return true
		}
	}
	return false
}

// get returns the value of the first field of kind k, or nil.
func (h *head) get(k fieldKind) []byte {
	for i := range h.fields {
		if h.fields[i].kind == k {
			return h.fields[i].value
		}
	}
	return nil
}

// count returns how many fields of kind k there are.
func (h *head) count(k fieldKind) int {
	n := 0
	for i := range h.fields {
		if h.fields[i].kind == k {
			n++
		}
	}
	return n
}

// validValue reports whether v holds no control bytes but tabs (no CR,
// LF or NUL that a later parser could split on). It checks eight bytes at
// a time: JWTs and cookies make values long.
func validValue(v []byte) bool {
	const lo, hi, del = 0x0101010101010101, 0x8080808080808080, 0x7f7f7f7f7f7f7f7f
	for len(v) >= 8 {
		x := binary.LittleEndian.Uint64(v)
		below := (x - 0x20*lo) &^ x & hi // a byte < 0x20
		y := x ^ del
		isDel := (y - lo) &^ y & hi // a byte == 0x7f
		if below|isDel != 0 {
			break // let the exact loop below judge these eight
		}
		v = v[8:]
	}
	for _, ch := range v {
		if ch < ' ' && ch != '\t' || ch == 0x7f {
			return false
		}
	}
	return true
}

func trimOWS(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

func kindOf(name []byte) fieldKind {
	eq := func(s string) bool { return bytes.EqualFold(name, s2b(s)) }
	switch len(name) {
	case 2:
		if eq("te") {
			return kTE
		}
	case 4:
		if eq("host") {
			return kHost
		}
	case 6:
		switch {
		case eq("accept"):
			return kAccept
		case eq("expect"):
			return kExpect
		}
	case 7:
		switch {
		case eq("upgrade"):
			return kUpgrade
		case eq("trailer"):
			return kHop
		}
	case 9:
		if eq("forwarded") {
			return kForwarding
		}
	case 10:
		switch {
		case eq("connection"):
			return kConnection
		case eq("keep-alive"):
			return kHop
		case eq("tracestate"):
			return kTracestate
		}
	case 11:
		switch {
		case eq("traceparent"):
			return kTraceparent
		case eq("retry-after"):
			return kRetryAfter
		}
	case 12:
		switch {
		case eq("x-request-id"):
			return kRequestID
		case eq("content-type"):
			return kContentType
		}
	case 13:
		if eq("authorization") {
			return kAuthorization
		}
	case 14:
		switch {
		case eq("content-length"):
			return kContentLength
		case eq("accept-version"):
			return kAcceptVersion
		case eq("gantry-timeout"):
			return kTimeout
		}
	case 15:
		switch {
		case eq("x-forwarded-for"):
			return kForwarding
		case eq("idempotency-key"):
			return kIdempotencyKey
		}
	case 16:
		switch {
		case eq("x-forwarded-host"):
			return kForwarding
		case eq("proxy-connection"):
			return kHop
		}
	case 17:
		switch {
		case eq("x-forwarded-proto"):
			return kForwarding
		case eq("transfer-encoding"):
			return kTransferEncoding
		}
	case 18:
		if eq("proxy-authenticate") {
			return kHop
		}
	case 19:
		if eq("proxy-authorization") {
			return kHop
		}
	}
	if len(name) == len(claimsHeader) && eq(claimsHeader) {
		return kClaims
	}
	return kOther
}

// tokenChars are the bytes RFC 9110 allows in a field name.
var tokenChars = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-32] = true, true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return t
}()

func isToken(c byte) bool { return tokenChars[c] }

// s2b views s as bytes without copying; the result must not be written.
func s2b(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// b2s views b as a string without copying; the result must not outlive
// b's contents (it is only used for lookups and comparisons).
func b2s(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
