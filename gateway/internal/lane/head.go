package lane

import (
	"bytes"

	"github.com/gantrykit/gantry/gateway/internal/edge"
)

// head is one HTTP/1.1 message head (a request or a response) parsed in
// place by the gateway's one parser, edge.Head (strict: no bare LF or CR,
// folded lines, whitespace before a colon, bad names or control bytes),
// plus what the lane needs to copy field lines as they came: each line's
// extent, the lane's finer kind, and whether Connection names the field.
// Its slices point into the reader's buffer and are valid until the reader
// is read again.
type head struct {
	raw []byte // the whole head
	n   int    // length of the head, the final CRLF included
	eh  edge.Head
	ext []fieldExt // one per eh.Fields entry; both grow once per connection
}

// fieldExt is what the lane keeps of a field beside edge.Field.
type fieldExt struct {
	off, end int  // the field's line in head.raw, CRLF included
	kind     kind // the lane's finer classification
	named    bool // named by a Connection option
}

// parse parses buf[:n], a complete head found by edge.ScanHead, with
// edge.Head.Parse.
func (h *head) parse(buf []byte, n int) error {
	h.n, h.raw = n, buf[:n]
	if err := h.eh.Parse(h.raw); err != nil {
		return err
	}
	h.ext = h.ext[:0]
	conn := false
	for i := range h.eh.Fields {
		f := &h.eh.Fields[i]
		off := cap(h.raw) - cap(f.Name) // the name starts its line
		end := off + bytes.IndexByte(h.raw[off:], '\n') + 1
		k := kindOf(f.Name)
		conn = conn || k == kConnection
		h.ext = append(h.ext, fieldExt{off: off, end: end, kind: k})
	}
	if conn {
		h.markConnectionOptions()
	}
	return nil
}

// markConnectionOptions marks the fields a Connection option names. Admit
// and CheckResponse refuse a message whose Connection names a field that
// is not end-to-end or hop-by-hop, so only those can be named away.
func (h *head) markConnectionOptions() {
	for i := range h.ext {
		if h.ext[i].kind != kConnection {
			continue
		}
		_ = edge.Options(h.eh.Fields[i].Value, func(opt []byte) error {
			for j := range h.eh.Fields {
				if bytes.EqualFold(h.eh.Fields[j].Name, opt) {
					h.ext[j].named = true
				}
			}
			return nil
		})
	}
}

// appendLines appends the lines of the fields keep takes, as they came
// (they were parsed strictly), copying runs of consecutive kept lines at
// once.
func (h *head) appendLines(b []byte, keep func(f *edge.Field, x *fieldExt) bool) []byte {
	start, end := -1, 0
	for i := range h.ext {
		x := &h.ext[i]
		if !keep(&h.eh.Fields[i], x) {
			if start >= 0 {
				b = append(b, h.raw[start:end]...)
				start = -1
			}
			continue
		}
		if start < 0 {
			start = x.off
		}
		end = x.end
	}
	if start >= 0 {
		b = append(b, h.raw[start:end]...)
	}
	return b
}

// get returns the value of the first field of kind k, or nil.
func (h *head) get(k kind) []byte {
	for i := range h.ext {
		if h.ext[i].kind == k {
			return h.eh.Fields[i].Value
		}
	}
	return nil
}

// count returns how many fields of kind k there are.
func (h *head) count(k kind) int {
	n := 0
	for i := range h.ext {
		if h.ext[i].kind == k {
			n++
		}
	}
	return n
}
