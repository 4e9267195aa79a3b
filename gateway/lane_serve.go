package gateway

import (
	"bytes"
	"context"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel/propagation"
)

// laneReq is the request a lane connection is serving; one per connection,
// reset for each request.
type laneReq struct {
	c       *laneConn
	h       head // the request head, in the connection's read buffer
	resp    head // the upstream's answer head, in the upstream's buffer
	gw      *Gateway
	rt      *route
	matched string
	method  string // one of the lane's methods, a constant
	path    string
	query   []byte // raw query, without '?'
	host    []byte
	// bodyLen is the request's Content-Length; body is the body itself,
	// read whole into the connection's buffer before the request is
	// served (the lane takes only bodies that fit there).
	bodyLen int
	body    []byte
	// deadline is the route timeout's end: the upstream socket's deadline.
	deadline time.Time
	// attemptDL is the current attempt's deadline for the answer's head:
	// deadline, or sooner with the route's attempt_timeout.
	attemptDL time.Time
	end       time.Time // when the answer was done
	close     bool      // answer with Connection: close, then close
	att       attempt   // the request's, reused: nothing keeps it once answered
	broken    bool      // an answer was cut short: the connection must close
	gone      bool      // the client stopped reading
}

// parse reads the head buffered in br[:n] and reports whether the lane
// takes the request: GET, HEAD or DELETE without a body, or POST, PUT or
// PATCH with a Content-Length body that fits in br with its head; over
// HTTP/1.1, without Transfer-Encoding, Expect or Upgrade, with one valid
// Host and an origin-form target whose path needs neither decoding nor
// cleaning.
func (r *laneReq) parse(br *inbuf, n int) bool {
	buf, _ := br.Peek(n)
	r.gw, r.rt, r.matched, r.close, r.broken, r.gone = nil, nil, "", false, false, false
	r.bodyLen, r.body = 0, nil
	if !r.h.parse(buf, n) {
		return false
	}
	line := r.h.line
	sp := bytes.IndexByte(line, ' ')
	if sp < 0 {
		return false
	}
	switch b2s(line[:sp]) {
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
		return false
	}
	target, proto, ok := bytes.Cut(line[sp+1:], []byte(" "))
	if !ok || b2s(proto) != "HTTP/1.1" || len(target) == 0 || target[0] != '/' {
		return false
	}
	for _, ch := range target {
		if ch <= ' ' || ch >= 0x7f || ch == '%' || ch == '#' {
			return false
		}
	}
	path, query, _ := bytes.Cut(target, []byte("?"))
	if !cleanPath(path) {
		return false
	}
	if r.h.count(kHost) != 1 || r.h.get(kTransferEncoding) != nil || r.h.get(kUpgrade) != nil || r.h.get(kExpect) != nil {
		return false
	}
	switch r.h.count(kContentLength) {
	case 0: // no body: a request without Content-Length or Transfer-Encoding has none
	case 1:
		l, ok := parseLength(r.h.get(kContentLength))
		if !ok || l > 0 && !bodied(r.method) || n+l > br.Size() {
			return false // a body net/http reads: odd, on GET/HEAD/DELETE, or too big
		}
		r.bodyLen = l
	default:
		return false
	}
	r.host = r.h.get(kHost)
	if !validHost(r.host) {
		return false
	}
	r.path, r.query = string(path), query
	r.close = r.h.conn != nil && hasToken(r.h.conn, "close")
	return true
}

// parseLength reads a Content-Length the lane takes: 1 to 6 digits,
// nothing else.
func parseLength(v []byte) (int, bool) {
	if len(v) == 0 || len(v) > 6 {
		return 0, false
	}
	n := 0
	for _, ch := range v {
		if ch < '0' || ch > '9' {
			return 0, false
		}
		n = n*10 + int(ch-'0')
	}
	return n, true
}

// bodied reports whether the lane takes a body with method.
func bodied(method string) bool {
	return method == http.MethodPost || method == http.MethodPut || method == http.MethodPatch
}

// replayable reports whether the request may be sent again, as the
// net/http front decides (see idempotentMethod).
func (r *laneReq) replayable() bool {
	return idempotentMethod(r.method) || len(r.h.get(kIdempotencyKey)) > 0
}

// route finds the request's route and reports whether the lane serves it:
// routes with CORS, the docs and h2c or TLS upstreams go to net/http.
func (r *laneReq) route(c *laneConn) bool {
	g := c.fp.gw()
	if g == nil {
		return false
	}
	if d := *g.docs.path.Load(); d != "" && (r.path == "/openapi.json" || hasPathPrefix(r.path, d)) {
		return false
	}
	rt, matched := g.table.Load().match(request{method: r.method, host: b2s(r.host), path: r.path,
		acceptVersion: b2s(r.h.get(kAcceptVersion)), accept: b2s(r.h.get(kAccept))})
	if rt == nil || rt.cors != nil || !rt.up.plain() || int64(r.bodyLen) > rt.maxBody {
		return false // net/http answers a body over the route's limit with 413
	}
	r.gw, r.rt, r.matched = g, rt, matched
	return true
}

// serveLane is ServeHTTP for a request the lane took: the same admission,
// attempts, metrics, span and access log.
func (g *Gateway) serveLane(r *laneReq) {
	rt := r.rt
	// One attempt per connection, reset per request: nothing keeps it
	// once the request is answered.
	a := &r.att
	*a = attempt{rt: rt, matched: r.matched, lane: r, reqID: r.requestID()}
	ctx := context.Background()
	if r.h.get(kTraceparent) != nil {
		ctx = propagation.TraceContext{}.Extract(ctx, laneCarrier{&r.h})
	}
	ctx, span := g.tracer.Start(ctx, rt.name, g.server...)
	start := time.Now()
	a.start = start // the first attempt's, too
	rt.m.inflight.Inc()
	defer func() { r.end = a.end }() // runs after finish, which sets a.end
	defer g.finish(ctx, r.method, r.path, a, span, start)
	var sub string
	if rt.jwt {
		p, err := g.auth.Load().verifyBytes(ctx, r.h.get(kAuthorization), start)
		if err != nil {
			r.problem(a, err, 0, true)
			return
		}
		if err := authorize(p, rt.scopes); err != nil {
			r.problem(a, err, 0, false)
			return
		}
		a.claims, sub = p.header, p.sub
	}
	if rt.limiter != nil {
		if err := rt.limit(ctx, sub, r.c.ip); err != nil {
			r.problem(a, err, 0, false)
			return
		}
	}
	rt.up.budget.Request()
	r.deadline = start.Add(rt.timeout)
	if status, err := g.attempts(ctx, a, rt.retries > 0 && r.replayable()); err != nil {
		r.problem(a, err, status, false)
	}
}

// verifyBytes is verify for a header value still in a read buffer: a
// cached token is found without copying it.
func (v *verifier) verifyBytes(ctx context.Context, authz []byte, now time.Time) (*principal, error) {
	if len(authz) > 7 && bytes.EqualFold(authz[:7], []byte("bearer ")) {
		v.mu.RLock()
		p := v.cache[string(trimOWS(authz[7:]))]
		v.mu.RUnlock()
		if p != nil && now.Before(p.until) {
			return p, nil
		}
	}
	return v.verify(ctx, string(authz), now)
}

// requestID is the client's X-Request-Id when there is exactly one, short
// and printable, else a new one.
func (r *laneReq) requestID() string {
	if r.h.count(kRequestID) == 1 {
		if v := r.h.get(kRequestID); len(v) > 0 && len(v) <= 128 && printable(b2s(v)) {
			return string(v)
		}
	}
	return newRequestID()
}

// laneCarrier reads W3C trace context from a lane head.
type laneCarrier struct{ h *head }

func (c laneCarrier) Get(key string) string {
	switch key {
	case "traceparent":
		return string(c.h.get(kTraceparent))
	case "tracestate":
		return string(c.h.get(kTracestate))
	}
	return ""
}
func (laneCarrier) Set(string, string) {}
func (laneCarrier) Keys() []string     { return []string{"traceparent", "tracestate"} }

// problem answers with a problem+json the gateway makes itself.
func (r *laneReq) problem(a *attempt, err error, status int, challenge bool) {
	w := &laneWriter{h: http.Header{"X-Request-Id": {a.reqID}}}
	if challenge {
		w.h.Set("WWW-Authenticate", `Bearer realm="gateway"`)
	}
	a.problem(w, &http.Request{Method: r.method, URL: &url.URL{Path: r.path}}, err, status)
	bw := r.c.bw
	bw.WriteString("HTTP/1.1 ")
	bw.WriteString(strconv.Itoa(w.status))
	bw.WriteByte(' ')
	bw.WriteString(http.StatusText(w.status))
	bw.WriteString("\r\n")
	w.h.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	w.h.Set("Content-Length", strconv.Itoa(len(w.body)))
	if r.close || r.c.fp.draining.Load() {
		r.close = true
		w.h.Set("Connection", "close")
	}
	for _, k := range slices.Sorted(maps.Keys(w.h)) {
		for _, v := range w.h[k] {
			bw.WriteString(k)
			bw.WriteString(": ")
			bw.WriteString(v)
			bw.WriteString("\r\n")
		}
	}
	bw.WriteString("\r\n")
	if r.method != http.MethodHead {
		bw.Write(w.body)
	}
}

// laneWriter collects an answer the gateway writes itself.
type laneWriter struct {
	h      http.Header
	status int
	body   []byte
}

func (w *laneWriter) Header() http.Header { return w.h }
func (w *laneWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}
func (w *laneWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.body = append(w.body, b...)
	return len(b), nil
}

// cleanPath reports whether p is what path.Clean would leave as is (bar a
// trailing slash): no empty, "." or ".." segments.
func cleanPath(p []byte) bool {
	for i := 0; i < len(p); i++ {
		if p[i] != '/' {
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

// validHost reports whether h is a plausible Host value: a name or
// address with an optional port, no spaces, no URL delimiters.
func validHost(h []byte) bool {
	if len(h) == 0 {
		return false
	}
	for _, c := range h {
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"#/<>?@\^`+"`{|}", c) >= 0 {
			return false
		}
	}
	return true
}
