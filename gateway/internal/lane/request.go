package lane

import (
	"bytes"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gantrykit/gantry/gateway/internal/edge"
)

// Request is one request the lane read. One is kept per connection and
// reset for each request: neither it nor its slices may be kept once
// Serve returns.
type Request struct {
	// State is the gateway's own, kept across the requests of a
	// connection; the lane never touches it.
	State any

	c       *conn
	h       head // the request head, in the connection's read buffer
	resp    head // the upstream's answer head, in the upstream's buffer
	method  string
	path    string
	query   []byte // raw query, without '?'
	host    []byte
	bodyLen int
	body    []byte
	end     time.Time // when the answer was done
	close   bool      // answer with Connection: close, then close
	// committed: the client has the answer's head; broken: it has part of
	// an answer, so its connection must close; gone: it stopped reading.
	committed, broken, gone bool
	refusal                 error // why the gateway's admission refused the request
}

// Method returns the request's method: GET, HEAD, DELETE, POST, PUT or
// PATCH.
func (r *Request) Method() string { return r.method }

// Path returns the request's path: origin-form, with nothing to decode or
// clean (see the package doc).
func (r *Request) Path() string { return r.path }

// Query returns the raw query, without '?'.
func (r *Request) Query() []byte { return r.query }

// Host returns the Host field's value.
func (r *Request) Host() []byte { return r.host }

// ContentLength returns the body's length.
func (r *Request) ContentLength() int { return r.bodyLen }

// RemoteIP returns the client's IP address.
func (r *Request) RemoteIP() string { return r.c.ip }

// Get returns the value of the first f field, or nil.
func (r *Request) Get(f Field) []byte { return r.h.get(kind(f)) }

// Count returns how many f fields the request has.
func (r *Request) Count(f Field) int { return r.h.count(kind(f)) }

// Finished tells the lane when the answer was done, saving it a clock
// read.
func (r *Request) Finished(t time.Time) { r.end = t }

// verdict is what parse decided about a request.
type verdict uint8

const (
	handoff verdict = iota // net/http serves it and the rest of the connection
	take                   // the lane serves it
	refuse                 // the gateway's one admission refused it: answer, then close
)

// parse reads the head buffered in br[:n] with the gateway's one parser
// and admission (edge.Head.Parse, edge.Admit): what they refuse, the lane
// refuses as the net/http front does (r.refusal says why). Of the rest,
// the lane takes GET, HEAD or DELETE without a body, and POST, PUT or
// PATCH with a Content-Length body that fits in br with its head; over
// HTTP/1.1, without a chunked body, Expect or Upgrade, with an
// origin-form target whose path needs neither decoding nor cleaning.
// Everything else goes to net/http.
func (r *Request) parse(br *inbuf, n int) verdict {
	buf, _ := br.Peek(n)
	r.close, r.broken, r.gone, r.committed = false, false, false, false
	r.bodyLen, r.body, r.end, r.refusal = 0, nil, time.Time{}, nil
	if err := r.h.parse(buf, n); err != nil {
		r.refusal = err
		return refuse
	}
	ar := edge.Admit(&r.h.eh)
	if ar.Err != nil {
		r.refusal = ar.Err
		return refuse
	}
	switch b2s(ar.Method) {
	case http.MethodGet:
		r.method = http.MethodGet
	case http.MethodHead:
		r.method = http.MethodHead
	case http.MethodDelete:
		r.method = http.MethodDelete
	case http.MethodPost:
		r.method = http.MethodPost
	case http.MethodPut:
		r.method = http.MethodPut
	case http.MethodPatch:
		r.method = http.MethodPatch
	default:
		return handoff
	}
	if ar.Minor != 1 || ar.Body.Chunked || ar.Continue || r.h.get(kUpgrade) != nil || r.h.get(kExpect) != nil ||
		len(ar.Target) == 0 || ar.Target[0] != '/' {
		return handoff
	}
	path, query, _ := bytes.Cut(ar.Target, []byte("?"))
	if !plainPath(path) || !plainQuery(query) {
		return handoff
	}
	r.bodyLen = int(ar.Body.Length)
	if r.bodyLen > 0 && !bodied(r.method) || n+r.bodyLen > br.Size() {
		return handoff // a body net/http reads: on GET/HEAD/DELETE, or too big
	}
	r.host, r.close = ar.Host, ar.Close
	r.path, r.query = string(path), query
	return take
}

// bodied reports whether the lane takes a body with method, and sends
// Content-Length: 0 when there is none, as net/http does.
func bodied(method string) bool {
	return method == http.MethodPost || method == http.MethodPut || method == http.MethodPatch
}

// pathChars are the bytes of a path the lane takes as it is: RFC 3986's
// pchar and '/', less '%' (an escape to decode) and ';' (parameters some
// upstreams strip). Anything else goes to net/http.
var pathChars = charSet("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,=:@/")

// queryChars are the bytes of a query the lane passes on as it is: pchar,
// '/' and '?', escapes included (the gateway never decodes a query).
var queryChars = charSet("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/?%")

func charSet(s string) (t [256]bool) {
	for i := range len(s) {
		t[s[i]] = true
	}
	return t
}

// plainPath reports whether p holds only pathChars and is what path.Clean
// would leave as is (bar a trailing slash): no empty, "." or ".."
// segments.
func plainPath(p []byte) bool {
	for i, ch := range p {
		if !pathChars[ch] {
			return false
		}
		if ch != '/' {
			continue
		}
		rest := p[i+1:]
		switch {
		case len(rest) > 0 && rest[0] == '/':
			return false
		case len(rest) > 0 && rest[0] == '.':
			if len(rest) == 1 || rest[1] == '/' || rest[1] == '.' && (len(rest) == 2 || rest[2] == '/') {
				return false
			}
		}
	}
	return true
}

func plainQuery(q []byte) bool {
	for _, ch := range q {
		if !queryChars[ch] {
			return false
		}
	}
	return true
}

// Answer writes an answer of the gateway's own: status, the fields of h
// in sorted order, and body. The lane writes the framing (Content-Length),
// Date and, when the connection is to close, Connection: close; h's own
// framing or connection fields are not written.
func (r *Request) Answer(status int, h http.Header, body []byte) {
	bw := r.c.bw
	b := append(bw.b, "HTTP/1.1 "...)
	b = strconv.AppendInt(b, int64(status), 10)
	b = append(append(append(b, ' '), http.StatusText(status)...), "\r\nDate: "...)
	b = time.Now().UTC().AppendFormat(b, http.TimeFormat)
	b = append(b, "\r\nContent-Length: "...)
	b = strconv.AppendInt(b, int64(len(body)), 10)
	b = append(b, "\r\n"...)
	if r.close || r.c.l.draining.Load() {
		r.close = true
		b = append(b, "Connection: close\r\n"...)
	}
	for _, k := range slices.Sorted(maps.Keys(h)) {
		switch edge.ClassifyString(k) {
		case edge.Framing, edge.Hop:
			continue
		}
		if strings.EqualFold(k, "Date") || !validName(k) {
			continue
		}
		for _, v := range h[k] {
			if !edge.ValidValue(s2b(v)) {
				continue
			}
			b = append(append(append(append(b, k...), ": "...), v...), "\r\n"...)
		}
	}
	bw.b = append(b, "\r\n"...)
	if r.method != http.MethodHead {
		_, _ = bw.Write(body)
	}
}

// validName reports whether k is a field name: one or more token bytes.
func validName(k string) bool {
	for i := range len(k) {
		if !edge.IsToken(k[i]) {
			return false
		}
	}
	return k != ""
}
