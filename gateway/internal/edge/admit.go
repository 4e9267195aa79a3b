package edge

import (
	"bytes"
	"errors"
	"net/http"
	"strings"
)

// Refusal is a request the gateway refuses before routing it: it answers
// Status and closes the connection.
type Refusal struct {
	Status int
	Msg    string
}

func (r *Refusal) Error() string { return "edge: " + r.Msg }

// Refusals of a request head. Status says what the client gets.
var (
	ErrVersion         = &Refusal{http.StatusHTTPVersionNotSupported, "HTTP version other than 1.0 or 1.1"}
	ErrRequestLine     = &Refusal{http.StatusBadRequest, "malformed request line"}
	ErrMethod          = &Refusal{http.StatusBadRequest, "method is not a token"}
	ErrTarget          = &Refusal{http.StatusBadRequest, "malformed request target"}
	ErrConnect         = &Refusal{http.StatusMethodNotAllowed, "CONNECT is not served"}
	ErrTEWithCL        = &Refusal{http.StatusBadRequest, "Transfer-Encoding together with Content-Length"}
	ErrTEOnHTTP10      = &Refusal{http.StatusBadRequest, "Transfer-Encoding in an HTTP/1.0 message"}
	ErrTEDuplicate     = &Refusal{http.StatusBadRequest, "more than one Transfer-Encoding field"}
	ErrTEUnsupported   = &Refusal{http.StatusNotImplemented, "transfer coding other than chunked"}
	ErrCLDuplicate     = &Refusal{http.StatusBadRequest, "more than one Content-Length field"}
	ErrCLValue         = &Refusal{http.StatusBadRequest, "Content-Length is not a decimal number"}
	ErrHostMissing     = &Refusal{http.StatusBadRequest, "no Host in an HTTP/1.1 request"}
	ErrHostDuplicate   = &Refusal{http.StatusBadRequest, "more than one Host field"}
	ErrHostValue       = &Refusal{http.StatusBadRequest, "malformed Host"}
	ErrHostConflict    = &Refusal{http.StatusBadRequest, "Host differs from the absolute-form target's authority"}
	ErrConnectionToken = &Refusal{http.StatusBadRequest, "Connection option is not a token"}
	ErrConnectionNames = &Refusal{http.StatusBadRequest, "Connection names a field the gateway frames, routes on, sets or verifies"}
	ErrDuplicate       = &Refusal{http.StatusBadRequest, "more than one Authorization, Idempotency-Key or Accept-Version field"}
	ErrExpect          = &Refusal{http.StatusExpectationFailed, "expectation other than 100-continue"}
	ErrHeadTooLarge    = &Refusal{http.StatusRequestHeaderFieldsTooLarge, "request head too large"}
)

// StatusOf is the status a client gets for a request refused with err: a
// Refusal's own, else 400.
func StatusOf(err error) int {
	var r *Refusal
	if errors.As(err, &r) {
		return r.Status
	}
	return http.StatusBadRequest
}

// Body is how a message's body is framed.
type Body struct {
	Chunked bool
	// Length is the body's length when it is not chunked: 0 for none, -1
	// for a response read until its connection closes.
	Length int64
}

// Request is what Admit found in a request head.
type Request struct {
	Err       error  // nil: admitted; else refuse it (StatusOf) and close
	Method    []byte // slices of the head
	Target    []byte
	Minor     int    // HTTP/1.Minor
	Host      []byte // the Host field, or the absolute-form target's authority
	Body      Body
	Close     bool // the client asked for the connection to end after this answer
	WebSocket bool // a well-formed WebSocket upgrade request (GET, HTTP/1.1, Upgrade: websocket, Connection: upgrade)
	Continue  bool // Expect: 100-continue
}

// Admit is the one admission both fronts apply to a request head h,
// parsed by Head.Parse: the HTTP version, the request target's form, the
// body's framing (exactly one of a decimal Content-Length and a single
// "chunked" Transfer-Encoding, none in HTTP/1.0), one valid Host that
// agrees with an absolute-form target, Connection options that name no
// framing, Host, trusted or guarded field, single Authorization,
// Idempotency-Key and Accept-Version fields, and no expectation but
// 100-continue. Anything else is refused: r.Err says why and with what
// status. It does not allocate.
func Admit(h *Head) (r Request) {
	r.Err = r.requestLine(h.Line)
	if r.Err != nil {
		return r
	}
	var nHost, nTE, nCL, nUpgrade, nAuth, nIdem, nVersion int
	var te, cl, upgrade []byte
	connUpgrade, keepAlive := false, false
	for i := range h.Fields {
		f := &h.Fields[i]
		switch f.Kind {
		case Host:
			nHost++
			if nHost == 1 {
				r.Host = f.Value
			}
		case Framing:
			if len(f.Name) == len("content-length") {
				nCL++
				cl = f.Value
			} else {
				nTE++
				te = f.Value
			}
		case Hop:
			switch {
			case EqualFold(f.Name, "connection"):
				err := Options(f.Value, func(opt []byte) error {
					switch {
					case EqualFold(opt, "close"):
						r.Close = true
					case EqualFold(opt, "keep-alive"):
						keepAlive = true
					case EqualFold(opt, "upgrade"):
						connUpgrade = true
					case !Classify(opt).Nominable():
						return ErrConnectionNames
					}
					return nil
				})
				if err != nil {
					r.Err = err
					return r
				}
			case EqualFold(f.Name, "upgrade"):
				nUpgrade++
				upgrade = f.Value
			case EqualFold(f.Name, "expect"):
				if !EqualFold(f.Value, "100-continue") || r.Continue {
					r.Err = ErrExpect
					return r
				}
				r.Continue = r.Minor == 1
			}
		case Guarded:
			switch {
			case EqualFold(f.Name, "authorization"):
				nAuth++
			case EqualFold(f.Name, "idempotency-key"):
				nIdem++
			case EqualFold(f.Name, "accept-version"):
				nVersion++
			}
		}
	}
	if r.Err = r.framing(nTE, te, nCL, cl); r.Err != nil {
		return r
	}
	if r.Err = r.host(nHost); r.Err != nil {
		return r
	}
	if nAuth > 1 || nIdem > 1 || nVersion > 1 {
		r.Err = ErrDuplicate
		return r
	}
	if r.Minor == 0 && !keepAlive {
		r.Close = true
	}
	r.WebSocket = nUpgrade == 1 && connUpgrade && r.Minor == 1 &&
		string(r.Method) == http.MethodGet && EqualFold(upgrade, "websocket")
	return r
}

// requestLine splits "METHOD SP target SP HTTP/1.x".
func (r *Request) requestLine(line []byte) error {
	sp := bytes.IndexByte(line, ' ')
	if sp <= 0 {
		return ErrRequestLine
	}
	r.Method = line[:sp]
	rest := line[sp+1:]
	sp = bytes.IndexByte(rest, ' ')
	if sp <= 0 {
		return ErrRequestLine // no version (HTTP/0.9) or a doubled space
	}
	r.Target, rest = rest[:sp], rest[sp+1:]
	if !isTokenString(r.Method) {
		return ErrMethod
	}
	switch string(rest) {
	case "HTTP/1.1":
		r.Minor = 1
	case "HTTP/1.0":
		r.Minor = 0
	default:
		if len(rest) == 8 && string(rest[:5]) == "HTTP/" && isDigit(rest[5]) && rest[6] == '.' && isDigit(rest[7]) {
			return ErrVersion
		}
		return ErrRequestLine
	}
	for _, c := range r.Target {
		if c <= ' ' || c >= 0x7f || c == '#' {
			return ErrTarget
		}
	}
	if string(r.Method) == http.MethodConnect {
		return ErrConnect
	}
	switch {
	case r.Target[0] == '/':
	case len(r.Target) == 1 && r.Target[0] == '*':
		if string(r.Method) != http.MethodOptions {
			return ErrTarget
		}
	default:
		if _, _, ok := SplitAbsolute(r.Target); !ok {
			return ErrTarget
		}
	}
	return nil
}

// framing decides the body's framing from the Transfer-Encoding and
// Content-Length fields.
func (r *Request) framing(nTE int, te []byte, nCL int, cl []byte) error {
	switch {
	case nTE > 0 && nCL > 0:
		return ErrTEWithCL
	case nTE > 0 && r.Minor == 0:
		return ErrTEOnHTTP10
	case nTE > 1:
		return ErrTEDuplicate
	case nTE == 1:
		if !EqualFold(te, "chunked") {
			return ErrTEUnsupported
		}
		r.Body.Chunked = true
	case nCL > 1:
		return ErrCLDuplicate
	case nCL == 1:
		n, ok := ParseLength(cl)
		if !ok {
			return ErrCLValue
		}
		r.Body.Length = n
	}
	return nil
}

// host checks the Host field against the target.
func (r *Request) host(n int) error {
	switch {
	case n > 1:
		return ErrHostDuplicate
	case n == 0 && r.Minor == 1:
		return ErrHostMissing
	case n == 1 && !ValidHost(r.Host):
		return ErrHostValue
	}
	if auth, _, ok := SplitAbsolute(r.Target); ok {
		switch {
		case !ValidHost(auth):
			return ErrHostValue
		case n == 0:
			r.Host = auth
		case !bytes.EqualFold(auth, r.Host):
			return ErrHostConflict
		}
	}
	return nil
}

// SplitAbsolute splits an absolute-form target "http://authority/path"
// (http or https, any case) into its authority and the rest ("/path", or
// "" for none). ok is false for any other form and for an authority that
// is empty or carries user information.
func SplitAbsolute(target []byte) (authority, rest []byte, ok bool) {
	i := bytes.Index(target, []byte("://"))
	if i < 0 || !EqualFold(target[:i], "http") && !EqualFold(target[:i], "https") {
		return nil, nil, false
	}
	authority = target[i+3:]
	if j := bytes.IndexAny(authority, "/?"); j >= 0 {
		authority, rest = authority[:j], authority[j:]
	}
	if len(authority) == 0 || bytes.IndexByte(authority, '@') >= 0 {
		return nil, nil, false
	}
	return authority, rest, true
}

// ParseLength parses a Content-Length value: 1 to 18 decimal digits,
// nothing else (no sign, no list, no inner whitespace).
func ParseLength(v []byte) (int64, bool) {
	if len(v) == 0 || len(v) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range v {
		if !isDigit(c) {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// Options calls fn with each option of a comma-separated Connection
// value, whitespace trimmed and empty elements skipped; an option that is
// not a token is ErrConnectionToken. It stops at fn's first error.
func Options(v []byte, fn func(opt []byte) error) error {
	for len(v) > 0 {
		opt := v
		if i := bytes.IndexByte(v, ','); i >= 0 {
			opt, v = v[:i], v[i+1:]
		} else {
			v = nil
		}
		if opt = TrimOWS(opt); len(opt) == 0 {
			continue
		}
		if !isTokenString(opt) {
			return ErrConnectionToken
		}
		if err := fn(opt); err != nil {
			return err
		}
	}
	return nil
}

// ValidHost reports whether h is a host with an optional port: a
// registered name or IPv4 address (letters, digits, "-._~" and
// sub-delims but no "@"), or an IP literal in brackets; the port, if any,
// is digits.
func ValidHost(h []byte) bool {
	if len(h) == 0 {
		return false
	}
	host, port := h, []byte(nil)
	if h[0] == '[' {
		end := bytes.IndexByte(h, ']')
		if end < 0 {
			return false
		}
		for _, c := range h[1:end] {
			if !isHex(c) && c != ':' && c != '.' {
				return false
			}
		}
		host, port = nil, h[end+1:]
		if len(port) > 0 && port[0] != ':' {
			return false
		}
	} else if i := bytes.LastIndexByte(h, ':'); i >= 0 {
		host, port = h[:i], h[i:]
	}
	if len(port) > 0 {
		for _, c := range port[1:] {
			if !isDigit(c) {
				return false
			}
		}
	}
	for _, c := range host {
		switch {
		case isDigit(c), 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case strings.IndexByte("-._~!$&'()*+,;=", c) >= 0:
		default:
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isHex(c byte) bool { return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }
