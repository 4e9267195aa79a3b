package edge

import (
	"net/http"
	"strings"
)

// Path refusals: a path that some upstream could read as another path.
var (
	ErrPathForm      = &Refusal{http.StatusBadRequest, "path does not start with /"}
	ErrPathEncoding  = &Refusal{http.StatusBadRequest, "malformed percent-encoding in the path"}
	ErrPathSlash     = &Refusal{http.StatusBadRequest, "encoded / or \\, or a backslash, in the path"}
	ErrPathDot       = &Refusal{http.StatusBadRequest, "dot segment (. or ..) in the path, plain or encoded"}
	ErrPathEmpty     = &Refusal{http.StatusBadRequest, "empty segment (//) in the path"}
	ErrPathParam     = &Refusal{http.StatusBadRequest, "; in the path"}
	ErrPathControl   = &Refusal{http.StatusBadRequest, "control byte (NUL, CR, LF...) in the decoded path"}
	ErrPathSpace     = &Refusal{http.StatusBadRequest, "whitespace at the edge of a path segment"}
	ErrPathPercent   = &Refusal{http.StatusBadRequest, "encoded % in the path (double encoding)"}
	ErrPathCharacter = &Refusal{http.StatusBadRequest, "character not allowed in a path"}
)

// NormalizePath returns the path routes match on, decoded from raw, the
// path of a request target as the client sent it (without the query).
// There is one reading of a path the gateway accepts: the one every
// upstream makes, whether it decodes, cleans, splits on ";" or on "\", or
// trims segments. So it refuses, rather than normalises, what upstreams
// read differently:
//
//   - "." and ".." segments, plain or percent-encoded (%2e);
//   - an encoded "/" (%2F) or "\" (%5C), and a plain "\";
//   - ";" (matrix parameters, which Tomcat and Spring strip), plain or
//     encoded;
//   - empty segments ("//"), but a trailing slash is kept;
//   - NUL and other control bytes (%00, %0a...), and a segment that
//     starts or ends with a space or tab (%20, %09);
//   - an encoded "%" (%25), which a second decoding would turn into
//     something else;
//   - malformed percent-encoding, and bytes outside URI characters.
//
// Other percent-encoded bytes are decoded. The upstream receives
// EscapePath of the same decoded path (after strip_prefix or rewrite), so
// the path matched and the path served are one.
func NormalizePath(raw string) (string, error) {
	if raw == "" || raw[0] != '/' {
		return "", ErrPathForm
	}
	decoded := false
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; {
		case c == '%':
			if i+2 >= len(raw) || !isHex(raw[i+1]) || !isHex(raw[i+2]) {
				return "", ErrPathEncoding
			}
			switch unhex(raw[i+1])<<4 | unhex(raw[i+2]) {
			case '/', '\\':
				return "", ErrPathSlash
			case ';':
				return "", ErrPathParam
			case '%':
				return "", ErrPathPercent
			}
			decoded = true
			i += 2
		case c == '\\':
			return "", ErrPathSlash
		case c == ';':
			return "", ErrPathParam
		case c <= ' ' || c >= 0x7f || strings.IndexByte(`"<>#?`, c) >= 0:
			return "", ErrPathCharacter
		}
	}
	p := raw
	if decoded {
		b := make([]byte, 0, len(raw))
		for i := 0; i < len(raw); i++ {
			if raw[i] == '%' {
				b = append(b, unhex(raw[i+1])<<4|unhex(raw[i+2]))
				i += 2
				continue
			}
			b = append(b, raw[i])
		}
		p = string(b)
	}
	if err := checkSegments(p); err != nil {
		return "", err
	}
	return p, nil
}

// checkSegments refuses dot segments, empty segments (but a trailing
// slash), control bytes and whitespace at the edges of a segment in the
// decoded path p.
func checkSegments(p string) error {
	for start := 1; start <= len(p); {
		end := strings.IndexByte(p[start:], '/')
		if end < 0 {
			end = len(p)
		} else {
			end += start
		}
		seg := p[start:end]
		switch {
		case seg == "." || seg == "..":
			return ErrPathDot
		case seg == "" && end < len(p):
			return ErrPathEmpty
		case seg != "" && (isSpace(seg[0]) || isSpace(seg[len(seg)-1])):
			return ErrPathSpace
		}
		for i := 0; i < len(seg); i++ {
			if seg[i] < ' ' && seg[i] != '\t' || seg[i] == 0x7f {
				return ErrPathControl
			}
		}
		start = end + 1
	}
	return nil
}

// EscapePath is the form of a decoded path the gateway sends upstream:
// RFC 3986 path characters (unreserved, sub-delims but ";", ":", "@" and
// "/") as they are, every other byte percent-encoded in upper case. It
// returns p itself when nothing needs encoding.
func EscapePath(p string) string {
	n := 0
	for i := 0; i < len(p); i++ {
		if !pathChar(p[i]) {
			n++
		}
	}
	if n == 0 {
		return p
	}
	return string(AppendEscapedPath(make([]byte, 0, len(p)+2*n), p))
}

// AppendEscapedPath appends EscapePath(p) to b.
func AppendEscapedPath(b []byte, p string) []byte {
	const hexDigits = "0123456789ABCDEF"
	for i := 0; i < len(p); i++ {
		if c := p[i]; pathChar(c) {
			b = append(b, c)
		} else {
			b = append(b, '%', hexDigits[c>>4], hexDigits[c&15])
		}
	}
	return b
}

func pathChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', isDigit(c):
		return true
	}
	return strings.IndexByte("-._~!$&'()*+,=:@/", c) >= 0
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' }

func unhex(c byte) byte {
	switch {
	case isDigit(c):
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
