package edge

import (
	"errors"
)

// Errors of an upstream's response head: the attempt fails (502 when
// nothing reached the client yet) and the upstream connection is closed.
var (
	ErrStatusLine      = errors.New("edge: malformed status line")
	ErrRespTEWithCL    = errors.New("edge: response with Transfer-Encoding and Content-Length")
	ErrRespTE          = errors.New("edge: response Transfer-Encoding other than one chunked (or in HTTP/1.0)")
	ErrRespCL          = errors.New("edge: response Content-Length duplicated or not a decimal number")
	ErrRespConnection  = errors.New("edge: response Connection names a field the gateway frames or sets")
	ErrRespBodyless    = errors.New("edge: framing on a 1xx or 204 response, or chunking on a 304")
	ErrUnsolicited     = errors.New("edge: upstream sent bytes nobody asked for")
	ErrUpgradeRefused  = errors.New("edge: upstream switched protocols unasked")
	ErrSurplus         = errors.New("edge: upstream sent more than its response framed")
	ErrIncompleteReply = errors.New("edge: upstream closed before its response ended")
)

// Response is what CheckResponse found in a response head.
type Response struct {
	Code  int
	Minor int
	Body  Body // Length -1: read until the upstream closes
	// Close: the upstream connection must not be reused after this answer
	// (it asked to close, or the body runs until close).
	Close bool
}

// CheckResponse checks an upstream's response head h, parsed by
// Head.Parse, to a request whose method was HEAD when head is set. It
// refuses what could be read two ways: a malformed status line, framing
// fields duplicated or malformed, both Transfer-Encoding and
// Content-Length, a transfer coding other than chunked, a Connection
// option naming a field that is not end to end, and framing on answers
// that have no body by rule (a 1xx with Content-Length or
// Transfer-Encoding, a 204 with Transfer-Encoding or a non-zero
// Content-Length, a 304 with Transfer-Encoding). The body's framing
// follows RFC 9112 §6.3: none for HEAD, 1xx, 204 and 304. It does not
// allocate.
func CheckResponse(h *Head, head bool) (Response, error) {
	var r Response
	if err := r.statusLine(h.Line); err != nil {
		return r, err
	}
	var nTE, nCL int
	var te, cl []byte
	keepAlive := false
	for i := range h.Fields {
		f := &h.Fields[i]
		switch {
		case f.Kind == Framing && len(f.Name) == len("content-length"):
			nCL++
			cl = f.Value
		case f.Kind == Framing:
			nTE++
			te = f.Value
		case f.Kind == Hop && EqualFold(f.Name, "connection"):
			err := Options(f.Value, func(opt []byte) error {
				switch {
				case EqualFold(opt, "close"):
					r.Close = true
				case EqualFold(opt, "keep-alive"):
					keepAlive = true
				case !Classify(opt).Nominable():
					return ErrRespConnection
				}
				return nil
			})
			if err != nil {
				return r, err
			}
		}
	}
	if r.Minor == 0 && !keepAlive {
		r.Close = true
	}
	switch {
	case nTE > 0 && nCL > 0:
		return r, ErrRespTEWithCL
	case nTE > 1 || nTE == 1 && (r.Minor == 0 || !EqualFold(te, "chunked")):
		return r, ErrRespTE
	case nCL > 1:
		return r, ErrRespCL
	}
	var length int64
	if nCL == 1 {
		var ok bool
		if length, ok = ParseLength(cl); !ok {
			return r, ErrRespCL
		}
	}
	switch {
	case r.Code < 200:
		if nTE+nCL > 0 {
			return r, ErrRespBodyless
		}
		return r, nil
	case r.Code == 204:
		if nTE > 0 || nCL > 0 && length != 0 { // "Content-Length: 0" is common, and harmless
			return r, ErrRespBodyless
		}
		return r, nil
	case r.Code == 304:
		if nTE > 0 {
			return r, ErrRespBodyless
		}
		return r, nil
	case head:
		return r, nil
	case nTE == 1:
		r.Body.Chunked = true
	case nCL == 1:
		r.Body.Length = length
	default:
		r.Body.Length, r.Close = -1, true
	}
	return r, nil
}

// statusLine parses "HTTP/1.x SP 3DIGIT [SP reason]".
func (r *Response) statusLine(line []byte) error {
	if len(line) < 12 || string(line[:7]) != "HTTP/1." || line[8] != ' ' ||
		len(line) > 12 && line[12] != ' ' {
		return ErrStatusLine
	}
	switch line[7] {
	case '0':
		r.Minor = 0
	case '1':
		r.Minor = 1
	default:
		return ErrStatusLine
	}
	for _, c := range line[9:12] {
		if !isDigit(c) {
			return ErrStatusLine
		}
		r.Code = r.Code*10 + int(c-'0')
	}
	if r.Code < 100 || r.Code > 599 {
		return ErrStatusLine
	}
	for _, c := range line[12:] {
		if c < ' ' && c != '\t' || c == 0x7f {
			return ErrStatusLine
		}
	}
	return nil
}
