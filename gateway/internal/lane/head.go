package lane

import (
	"bytes"
)

// head is one HTTP/1.1 message head (a request or a response) parsed in
// place: its slices point into the reader's buffer and are valid until the
// reader is read again. The lane parses strictly: anything it does not
// read exactly as written here (bare LF line ends, folded lines, odd bytes)
// is handed to net/http or refused, never relayed.
type head struct {
	raw    []byte // the whole head
	n      int    // length of the head, the final CRLF included
	line   []byte // start line, CRLF excluded
	fields []field
	conn   []byte // comma-joined tokens of the Connection fields, when several
	store  [maxFields]field
}

// field is one header field; kind classifies the names the lane or the
// gateway reads, writes or replaces.
type field struct {
	name, value []byte
	off, end    int // the field's line in head.raw, CRLF included
	kind        kind
	named       bool // named by a Connection field
}

// maxFields bounds the fields the lane handles; a longer head goes to
// net/http (requests) or is refused (answers).
const maxFields = 64

// headStatus is what scanHead found in a buffer.
type headStatus uint8

const (
	headIncomplete headStatus = iota
	headComplete
	headInvalid
)

// scanHead looks for the end of a head in buf: the first empty line. Every
// line must end in CRLF; a bare LF makes the head invalid for the lane (a
// lone CR is a control byte parse refuses).
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
// directly followed by a colon and values without control bytes, and for
// a start line with control bytes.
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
	if !validValue(h.line) {
		return false
	}
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
		h.markConnectionTokens()
	}
	return true
}

// markConnectionTokens marks the fields a Connection field names. Only
// end-to-end fields the gateway has no use for (kOther) can be named away:
// framing, Host, and every field the gateway reads, sets or verifies are
// never removed by a Connection token (see the package doc).
func (h *head) markConnectionTokens() {
	for tok := range bytes.SplitSeq(h.conn, []byte(",")) {
		tok = trimOWS(tok)
		if len(tok) == 0 {
			continue
		}
		for i := range h.fields {
			if h.fields[i].kind == kOther && bytes.EqualFold(h.fields[i].name, tok) {
				h.fields[i].named = true
			}
		}
	}
}

// appendLines appends the lines of the fields skip does not name, as they
// came (they were parsed strictly), copying runs of consecutive kept lines
// at once.
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
func (h *head) get(k kind) []byte {
	for i := range h.fields {
		if h.fields[i].kind == k {
			return h.fields[i].value
		}
	}
	return nil
}

// count returns how many fields of kind k there are.
func (h *head) count(k kind) int {
	n := 0
	for i := range h.fields {
		if h.fields[i].kind == k {
			n++
		}
	}
	return n
}
