package edge

import (
	"bytes"
	"errors"
)

// Errors of a message head or body that no hop may read two ways. Each is
// a refusal: 400 for a request (and the connection closed), a failed
// attempt (502, the upstream connection closed) for a response.
var (
	ErrBareLF        = errors.New("edge: line ends in a bare LF")
	ErrBareCR        = errors.New("edge: bare CR")
	ErrObsFold       = errors.New("edge: folded header line (obs-fold)")
	ErrFieldName     = errors.New("edge: invalid header field name")
	ErrSpaceInName   = errors.New("edge: whitespace between a field name and its colon")
	ErrUnderscore    = errors.New("edge: field name that is a framing, trusted or guarded one with \"_\" for \"-\"")
	ErrFieldValue    = errors.New("edge: control byte in a header field value")
	ErrTooManyFields = errors.New("edge: too many header fields")
	ErrStartLine     = errors.New("edge: malformed start line")
	ErrNoHead        = errors.New("edge: empty message head")
	ErrChunk         = errors.New("edge: malformed chunked body")
)

// MaxFields bounds the fields of one head.
const MaxFields = 128

// Field is one header field line: its name and its value without
// surrounding whitespace, both slices of the parsed buffer.
type Field struct {
	Name, Value []byte
	Kind        Kind
}

// Head is a message head parsed in place: the start line and the fields,
// as slices of the buffer given to Parse, valid while it is. A Head is
// reused across messages: Parse keeps Fields' array.
type Head struct {
	Line   []byte // the start line, CRLF excluded
	Fields []Field
}

// ScanHead looks for the end of a message head at the start of buf. It
// returns n > 0 when buf[:n] is a complete head (its final empty line
// included), 0 when more bytes are needed, or an error for bytes no head
// may hold: every line must end in CRLF, and no CR may stand alone.
func ScanHead(buf []byte) (int, error) {
	start := 0
	for {
		i := bytes.IndexByte(buf[start:], '\n')
		if i < 0 {
			if j := bytes.IndexByte(buf[start:], '\r'); j >= 0 && j < len(buf)-start-1 {
				return 0, ErrBareCR // a CR followed by something else than LF
			}
			return 0, nil
		}
		end := start + i
		if end == start || buf[end-1] != '\r' {
			return 0, ErrBareLF
		}
		if j := bytes.IndexByte(buf[start:end-1], '\r'); j >= 0 {
			return 0, ErrBareCR
		}
		if end == start+1 { // "\r\n": the empty line
			if start == 0 {
				return 0, ErrNoHead
			}
			return end + 1, nil
		}
		start = end + 1
	}
}

// Parse splits head, a complete head found by ScanHead, into its start
// line and fields. It refuses folded lines, names that are not tokens or
// are followed by whitespace, and values holding control bytes other than
// HTAB (NUL, CR, LF, DEL...). Bytes from 0x80 up (obs-text) are allowed in
// values, as RFC 9110 does.
func (h *Head) Parse(head []byte) error {
	h.Fields = h.Fields[:0]
	b := head[:len(head)-2] // without the final CRLF
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		i = len(b) + 1 // the start line alone
	}
	h.Line = b[:i-1]
	if len(h.Line) == 0 || h.Line[0] == ' ' || h.Line[0] == '\t' {
		return ErrStartLine
	}
	for p := i + 1; p < len(b); {
		e := p + bytes.IndexByte(b[p:], '\n')
		line := b[p : e-1]
		p = e + 1
		f, err := ParseField(line)
		if err != nil {
			return err
		}
		if len(h.Fields) == MaxFields {
			return ErrTooManyFields
		}
		h.Fields = append(h.Fields, f)
	}
	return nil
}

// ParseField parses one field line (CRLF excluded), as Parse does; the
// chunked body's trailer lines are parsed with it too.
func ParseField(line []byte) (Field, error) {
	if len(line) > 0 && (line[0] == ' ' || line[0] == '\t') {
		return Field{}, ErrObsFold
	}
	c := bytes.IndexByte(line, ':')
	if c <= 0 {
		return Field{}, ErrFieldName
	}
	name := line[:c]
	underscore := false
	for _, ch := range name {
		if !IsToken(ch) {
			if ch == ' ' || ch == '\t' {
				return Field{}, ErrSpaceInName
			}
			return Field{}, ErrFieldName
		}
		underscore = underscore || ch == '_'
	}
	v := TrimOWS(line[c+1:])
	if !ValidValue(v) {
		return Field{}, ErrFieldValue
	}
	k := Classify(name)
	if underscore && k == Other && classifyDashed(name) != Other {
		// Transfer_Encoding, X_Gantry_Claims: ordinary fields to net/http,
		// but the framing or trusted field itself to servers that read "_"
		// as "-" (CGI, WSGI, PHP).
		return Field{}, ErrUnderscore
	}
	return Field{Name: name, Value: v, Kind: k}, nil
}

// classifyDashed classifies name with every "_" read as "-".
func classifyDashed(name []byte) Kind {
	if len(name) > maxName {
		return Other
	}
	var b [maxName]byte
	for i, c := range name {
		if c == '_' {
			c = '-'
		}
		b[i] = c
	}
	return Classify(b[:len(name)])
}

// Count returns how many fields are named name (lower case).
func (h *Head) Count(name string) int {
	n := 0
	for i := range h.Fields {
		if EqualFold(h.Fields[i].Name, name) {
			n++
		}
	}
	return n
}

// Get returns the value of the first field named name (lower case), or
// nil.
func (h *Head) Get(name string) []byte {
	for i := range h.Fields {
		if EqualFold(h.Fields[i].Name, name) {
			return h.Fields[i].Value
		}
	}
	return nil
}

// ValidValue reports whether v may be a field value: no control bytes
// but HTAB.
func ValidValue(v []byte) bool {
	for _, ch := range v {
		if ch < ' ' && ch != '\t' || ch == 0x7f {
			return false
		}
	}
	return true
}

// TrimOWS removes leading and trailing spaces and tabs.
func TrimOWS(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// tokenChars are the bytes RFC 9110 allows in a token (a field name, a
// method, a Connection option).
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

// IsToken reports whether c may appear in a token.
func IsToken(c byte) bool { return tokenChars[c] }

func isTokenString(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if !tokenChars[c] {
			return false
		}
	}
	return true
}

// EqualFold reports whether b equals the lower-case ASCII t, ignoring
// case.
func EqualFold(b []byte, t string) bool {
	if len(b) != len(t) {
		return false
	}
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != t[i] {
			return false
		}
	}
	return true
}
