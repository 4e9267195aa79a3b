package gateway

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unsafe"

	"go.opentelemetry.io/otel/propagation"

	"github.com/gantrykit/gantry/gateway/internal/lane"
	"github.com/gantrykit/gantry/telemetry"
	httpt "github.com/gantrykit/gantry/transport/http"
)

// laneFront is the gateway as the fast lane sees it (lane.Gateway).
type laneFront struct{ gw func() *Gateway }

// laneReq is the gateway's state for the request a lane connection is
// serving: one per connection (in lane.Request.State), reset per request.
type laneReq struct {
	r        *lane.Request
	g        *Gateway
	rt       *route
	matched  string
	att      attempt       // the request's, reused: nothing keeps it once answered
	x        lane.Exchange // the current upstream attempt's
	deadline time.Time     // the route timeout's end
	gone     bool          // the client stopped reading
}

// Route finds the request's route and reports whether the lane serves it:
// routes with CORS, the docs, h2c or TLS upstreams and bodies over the
// route's max_body (net/http answers 413) go to net/http.
func (f *laneFront) Route(r *lane.Request) bool {
	g := f.gw()
	if g == nil {
		return false
	}
	lr, _ := r.State.(*laneReq)
	if lr == nil {
		lr = &laneReq{r: r}
		lr.x.Fields, lr.x.MayRetry = lr.appendFields, lr.att.mayRetry // bound once per connection
		r.State = lr
	}
	path := r.Path()
	if d := *g.docs.path.Load(); d != "" && (path == "/openapi.json" || hasPathPrefix(path, d)) {
		return false
	}
	rt, matched := g.table.Load().match(request{method: r.Method(), host: b2s(r.Host()), path: path,
		acceptVersion: b2s(r.Get(lane.AcceptVersion)), accept: b2s(r.Get(lane.Accept))})
	if rt == nil || rt.cors != nil || !rt.up.plain() || int64(r.ContentLength()) > rt.maxBody {
		return false
	}
	lr.g, lr.rt, lr.matched = g, rt, matched
	return true
}

// Serve is ServeHTTP for a request the lane took: the same admission,
// attempts, metrics, span and access log.
func (f *laneFront) Serve(r *lane.Request) {
	lr := r.State.(*laneReq)
	g, rt := lr.g, lr.rt
	a := &lr.att
	*a = attempt{rt: rt, matched: lr.matched, lane: lr, reqID: lr.requestID()}
	lr.gone = false
	ctx := context.Background()
	if r.Get(lane.Traceparent) != nil {
		ctx = propagation.TraceContext{}.Extract(ctx, laneCarrier{r})
	}
	ctx, span := g.startServerSpan(ctx, rt, r.Method())
	if span.IsRecording() {
		requestAttrs(span, rt, r.Method(), r.Path(), "http", string(r.Host()), string(r.Get(lane.UserAgent)))
	}
	start := time.Now()
	a.start = start // the first attempt's, too
	rt.m.inflight.Inc()
	defer func() { r.Finished(a.end) }() // runs after finish, which sets a.end
	defer g.finish(ctx, r.Method(), r.Path(), a, span, start)
	var sub string
	if rt.jwt {
		p, err := g.auth.Load().verifyBytes(ctx, r.Get(lane.Authorization), start)
		if err != nil {
			lr.problem(a, err, 0, true)
			return
		}
		if err := authorize(p, rt.scopes); err != nil {
			lr.problem(a, err, 0, true)
			return
		}
		a.claims, sub = p.header, p.sub
	}
	if rt.limiter != nil {
		if err := rt.limit(ctx, sub, r.RemoteIP()); err != nil {
			lr.problem(a, err, 0, false)
			return
		}
	}
	rt.up.budget.Request()
	lr.deadline = start.Add(rt.timeout)
	if status, err := g.attempts(ctx, a, rt.retries > 0 && lr.replayable()); err != nil {
		lr.problem(a, err, status, false)
	}
}

// exchange is one upstream attempt for the lane's request, reported
// through a as the ReverseProxy hooks report for net/http's.
func (lr *laneReq) exchange(a *attempt, in *instance) {
	rt, x := a.rt, &lr.x
	p := lr.r.Path()
	if rt.strip || rt.rewrite != "" {
		p = rt.upstreamPath(p, a.matched)
	}
	if base := in.url.Path; base != "" {
		p = joinPath(base, p)
	}
	x.Addr, x.Path, x.Query = in.url.Host, p, in.url.RawQuery
	x.Start, x.Deadline, x.HeadDeadline = a.start, lr.deadline, lr.deadline
	if at := rt.attempt; at > 0 {
		if d := a.start.Add(at); d.Before(lr.deadline) {
			x.HeadDeadline = d // until the answer's head; then the route's deadline again
		}
	}
	x.Replayable = lr.replayable()
	x.DropAuthorization = rt.jwt && !rt.up.cfg.ForwardToken // verified here: the claims go instead
	x.RequestID = a.reqID
	res := lr.r.Exchange(x)
	a.status, a.overloaded, a.committed = res.Status, res.Overloaded, res.Committed
	err := res.Err
	switch {
	case res.Retry:
		a.retryErr, err = true, errRetryableStatus{res.Status}
	case err == nil:
		return
	case errors.Is(err, lane.ErrClientGone):
		lr.gone, err = true, errClientGone
	case isTimeout(err) && !res.Committed && x.HeadDeadline.Before(x.Deadline):
		err = errAttemptTimeout // the instance, not the route, ran out of time
	case isTimeout(err):
		a.timedOut.Store(true)
	}
	a.err = err
}

// appendFields appends the fields the gateway sets on every upstream
// request of the lane: forwarding, request id, timeout, claims and trace
// context.
func (lr *laneReq) appendFields(b []byte) []byte {
	a, r := &lr.att, lr.r
	ip, host := r.RemoteIP(), r.Host()
	b = append(append(b, "X-Forwarded-For: "...), ip...)
	b = append(append(b, "\r\nX-Forwarded-Host: "...), host...)
	b = append(b, "\r\nX-Forwarded-Proto: http\r\n"...)
	if a.rt.up.cfg.Forwarded {
		b = append(b, "Forwarded: for=\""...)
		if strings.IndexByte(ip, ':') >= 0 {
			b = append(append(append(b, '['), ip...), ']')
		} else {
			b = append(b, ip...)
		}
		b = append(b, "\";host=\""...)
		for _, ch := range host {
			if ch != '"' {
				b = append(b, ch)
			}
		}
		b = append(b, "\";proto=http\r\n"...)
	}
	b = append(append(b, "X-Request-Id: "...), a.reqID...)
	b = append(b, "\r\n"+httpt.HeaderTimeout+": "...)
	b = append(httpt.AppendTimeout(b, lr.x.HeadDeadline.Sub(lr.x.Start)), "\r\n"...)
	if a.claims != "" {
		b = append(append(append(b, claimsHeader...), ": "...), a.claims...)
		b = append(b, "\r\n"...)
	}
	if sc := a.span.SpanContext(); sc.IsValid() {
		tid, sid := sc.TraceID(), sc.SpanID()
		b = append(b, "Traceparent: 00-"...)
		b = hex.AppendEncode(b, tid[:])
		b = append(b, '-')
		b = hex.AppendEncode(b, sid[:])
		b = append(b, '-')
		b = hex.AppendEncode(b, []byte{byte(sc.TraceFlags())})
		b = append(b, "\r\n"...)
		if ts := sc.TraceState().String(); ts != "" {
			b = append(append(append(b, "Tracestate: "...), ts...), "\r\n"...)
		}
	}
	return b
}

// replayable reports whether the request may be sent again, as the
// net/http front decides (see idempotentMethod).
func (lr *laneReq) replayable() bool {
	return idempotentMethod(lr.r.Method()) || len(lr.r.Get(lane.IdempotencyKey)) > 0
}

// requestID is the client's X-Request-Id when there is exactly one, short
// and printable, else a new one.
func (lr *laneReq) requestID() string {
	if lr.r.Count(lane.RequestID) == 1 {
		if v := lr.r.Get(lane.RequestID); len(v) > 0 && len(v) <= 128 && printable(b2s(v)) {
			return string(v)
		}
	}
	return telemetry.NewRequestID()
}

// problem answers with a problem+json the gateway makes itself. For an
// error of the token check (authz), the request it describes carries the
// client's Authorization field, so that a 401 or 403 says in its RFC 6750
// challenge whether the token presented was the problem.
func (lr *laneReq) problem(a *attempt, err error, status int, authz bool) {
	w := &laneWriter{h: http.Header{"X-Request-Id": {a.reqID}}}
	req := &http.Request{Method: lr.r.Method(), URL: &url.URL{Path: lr.r.Path()}}
	if authz {
		req.Header = http.Header{"Authorization": {string(lr.r.Get(lane.Authorization))}}
	}
	a.problem(w, req, err, status)
	lr.r.Answer(w.status, w.h, w.body)
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

// verifyBytes is verify for a header value still in a read buffer: a
// cached token is found without copying it.
func (v *verifier) verifyBytes(ctx context.Context, authz []byte, now time.Time) (*principal, error) {
	if len(authz) > 7 && bytes.EqualFold(authz[:7], []byte("bearer ")) {
		v.mu.RLock()
		p := v.cache[string(bytes.TrimLeft(authz[7:], " \t"))]
		v.mu.RUnlock()
		if p != nil && now.Before(p.until) {
			return p, nil
		}
	}
	return v.verify(ctx, string(authz), now)
}

// laneCarrier reads W3C trace context from a lane request.
type laneCarrier struct{ r *lane.Request }

func (c laneCarrier) Get(key string) string {
	switch key {
	case "traceparent":
		return string(c.r.Get(lane.Traceparent))
	case "tracestate":
		return string(c.r.Get(lane.Tracestate))
	}
	return ""
}
func (laneCarrier) Set(string, string) {}
func (laneCarrier) Keys() []string     { return []string{"traceparent", "tracestate"} }

// joinPath joins an instance's base path and the request path with one
// slash, as httputil.ProxyRequest.SetURL does.
func joinPath(base, p string) string {
	a, b := strings.HasSuffix(base, "/"), strings.HasPrefix(p, "/")
	switch {
	case a && b:
		return base + p[1:]
	case !a && !b:
		return base + "/" + p
	}
	return base + p
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// b2s views b as a string without copying; the result must not outlive
// b's contents (it is only used for lookups and comparisons).
func b2s(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
