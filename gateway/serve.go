package gateway

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"time"

	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/telemetry"
	httpt "github.com/gantrykit/gantry/transport/http"
)

// ServeHTTP routes r. First the edge admission (see the package doc and
// NewListener) refuses what could be read two ways, with 400 (or 417, 501,
// 505) and the connection closed, and normalises the path routes match
// on; a client-sent ClaimsHeader is never forwarded. Answers the gateway
// makes itself are problem+json: 404 (no route), 405 with Allow (routes
// serve the path with other methods only), 401/403 (auth), 413
// (body too large), 429 (rate limit, with Retry-After), 502 (upstream
// unreachable), 503 (no healthy instance, with Retry-After) and 504
// (route timeout).
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	upgrade, err := admit(r)
	if err != nil {
		g.refuse(w, r, err)
		return
	}
	if upgrade {
		// Unless the upgrade succeeds, the bytes after this request are
		// not known to start a request: close after the answer.
		w.Header()["Connection"] = []string{"close"}
	}
	if r.Header["Upgrade"] != nil && !upgrade {
		dropUpgrade(r.Header) // h2c and every other protocol: never tunnelled
	}
	delete(r.Header, claimsHeader)
	if g.docs.serve(w, r) {
		return
	}
	t := g.table.Load()
	method := r.Method
	if isPreflight(r) {
		method = r.Header.Get("Access-Control-Request-Method")
	}
	rt, matched := t.match(requestOf(r, method))
	if rt == nil {
		status := http.StatusNotFound
		id := unroutedID(w, r)
		if allow := t.allowed(requestOf(r, method)); allow != "" {
			// A route serves the path with other methods: 405 with Allow.
			status = http.StatusMethodNotAllowed
			w.Header().Set("Allow", allow)
			httpt.WriteProblem(w, r, errs.InvalidArgument("method %s not allowed", r.Method), status)
		} else {
			httpt.WriteProblem(w, r, errs.NotFound("no route for %s %s", r.Method, r.URL.Path), 0)
		}
		if status == http.StatusNotFound {
			g.unmatched.Inc()
		} else {
			g.metrics.requests.WithLabelValues("", "405").Inc()
		}
		g.logUnrouted(r, id, status)
		return
	}
	a := &attempt{rt: rt, matched: matched, reqID: requestID(r)}
	if upgrade {
		if rt.websocket {
			a.upgrade = true
			delete(w.Header(), "Connection") // set again unless the upstream switches protocols
		} else {
			dropUpgrade(r.Header)
		}
	}
	w.Header()["X-Request-Id"] = []string{a.reqID}
	ctx := r.Context()
	if sc := trace.SpanContextFromContext(ctx); !sc.IsValid() || sc.IsRemote() {
		// No server in front of the gateway (such as the kit Mux it is
		// mounted on) has extracted the caller's trace context.
		ctx = propagation.TraceContext{}.Extract(ctx, propagation.HeaderCarrier(r.Header))
	}
	ctx, span := g.startServerSpan(telemetry.WithRequestID(ctx, a.reqID), rt, r.Method)
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	requestAttrs(span, rt, r.Method, r.URL.Path, scheme, r.Host, r.UserAgent())
	start := time.Now()
	rt.m.inflight.Inc()
	defer g.finish(ctx, r.Method, r.URL.Path, a, span, start)
	g.serve(ctx, w, r, a)
}

// finish records one request: metrics, span and access log line. It runs
// deferred, so a stream aborted mid-body (http.ErrAbortHandler) is recorded.
func (g *Gateway) finish(ctx context.Context, method, path string, a *attempt, span trace.Span, start time.Time) {
	// The last attempt's end is the request's but for bookkeeping: one
	// clock read less per request.
	if a.end.IsZero() {
		a.end = time.Now()
	}
	d := a.end.Sub(start)
	rt := a.rt
	rt.m.inflight.Dec()
	code := a.code()
	rt.observeDuration(d, span.SpanContext(), a.end)
	rt.m.code(code).Inc()
	endServerSpan(span, code)
	if g.logger.Enabled(ctx, slog.LevelInfo) {
		g.accessLog(ctx, a, method, path, code, span, d)
	}
}

func (a *attempt) code() int {
	switch {
	case a.wrote != 0:
		return a.wrote
	case a.status != 0:
		return a.status
	}
	return 499 // the client went away before an answer
}

// problem writes err as problem+json and records its status.
func (a *attempt) problem(w http.ResponseWriter, r *http.Request, err error, status int) {
	if status == 0 {
		status = errs.KindOf(err).HTTPStatus()
	}
	a.wrote = status
	if a.upgrade {
		w.Header()["Connection"] = []string{"close"}
	}
	httpt.WriteProblem(w, r, err, status)
}

func (g *Gateway) serve(ctx context.Context, w http.ResponseWriter, r *http.Request, a *attempt) {
	rt := a.rt
	if rt.cors != nil && rt.cors.apply(w, r) {
		a.wrote = http.StatusNoContent
		if isPreflight(r) && w.Header().Get("Access-Control-Allow-Origin") == "" {
			a.wrote = http.StatusForbidden
		}
		return
	}
	if r.ContentLength > rt.maxBody {
		a.problem(w, r, errs.InvalidArgument("body larger than %d bytes", rt.maxBody), http.StatusRequestEntityTooLarge)
		return
	}
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = http.MaxBytesReader(w, r.Body, rt.maxBody)
	}
	now := time.Now()
	var sub string
	if rt.jwt {
		p, err := g.auth.Load().verify(ctx, r.Header.Get("Authorization"), now)
		if err != nil {
			a.problem(w, r, err, 0) // a 401 carries the RFC 6750 challenge
			return
		}
		if err := authorize(p, rt.scopes); err != nil {
			a.problem(w, r, err, 0)
			return
		}
		a.claims, sub = p.header, p.sub
	}
	if rt.limiter != nil {
		ip := ""
		if !rt.limitSub {
			ip = clientIP(r)
		}
		if err := rt.limit(ctx, sub, ip); err != nil {
			a.problem(w, r, err, 0)
			return
		}
	}
	g.proxy(ctx, w, r, a)
}

// limit takes a token from the route's rate limiter for the client: its
// JWT subject or its IP, as the route says.
func (rt *route) limit(ctx context.Context, sub, ip string) error {
	key := sub
	if !rt.limitSub {
		key = ip
	}
	_, err := rt.limiter(ctx, key)
	return err
}

// requestID returns the request's one ID: the one a server in front of the
// gateway (the kit Mux it is mounted on) already took from the client or
// made, else the client's X-Request-Id when it is well formed
// (telemetry.ValidRequestID), else a new one.
func requestID(r *http.Request) string {
	if id := telemetry.RequestID(r.Context()); id != "" {
		return id
	}
	if v := r.Header["X-Request-Id"]; len(v) == 1 {
		return telemetry.IncomingRequestID(v[0])
	}
	return telemetry.NewRequestID()
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func idempotent(r *http.Request) bool {
	return idempotentMethod(r.Method) || r.Header.Get("Idempotency-Key") != ""
}

// idempotentMethod reports whether method is idempotent. A request may be
// sent again (to another instance, or on a new connection) when its method
// is, or when it carries an Idempotency-Key: both front ends decide so.
func idempotentMethod(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete, http.MethodTrace:
		return true
	}
	return false
}
