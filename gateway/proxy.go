package gateway

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/gantrykit/gantry/gateway/internal/edge"
	"github.com/gantrykit/gantry/retrybudget"
	httpt "github.com/gantrykit/gantry/transport/http"
)

// bufferPool hands ReverseProxy 32 KiB copy buffers from a sync.Pool, so a
// proxied body does not allocate one per request.
type bufferPool struct{ p sync.Pool }

func newBufferPool() *bufferPool {
	return &bufferPool{p: sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}}
}

func (bp *bufferPool) Get() []byte { return *(bp.p.Get().(*[]byte)) }
func (bp *bufferPool) Put(b []byte) {
	if cap(b) >= 32<<10 {
		b = b[:32<<10]
		bp.p.Put(&b)
	}
}

// newTransport is the upstream transport: large keep-alive pools (the
// default of 2 idle connections per host is what makes a stock
// ReverseProxy churn connections under load), no transparent compression,
// and cleartext HTTP/2 when h2c is set.
func newTransport(h2c bool) *http.Transport {
	d := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	t := &http.Transport{
		Proxy:                 nil, // never via the environment's proxy
		DialContext:           d.DialContext,
		MaxIdleConns:          0, // no global cap
		MaxIdleConnsPerHost:   1024,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   5 * time.Second,
		ExpectContinueTimeout: time.Second,
		DisableCompression:    true,
		ForceAttemptHTTP2:     true,
		WriteBufferSize:       16 << 10,
		ReadBufferSize:        16 << 10,
	}
	if h2c {
		var p http.Protocols
		p.SetUnencryptedHTTP2(true)
		t.Protocols = &p
	}
	return t
}

// attempt is the state of one request through the gateway, shared by the
// retry loop and the ReverseProxy hooks through the request context.
type attempt struct {
	rt       *route
	matched  string
	reqID    string
	claims   string // forwarded claims header value, "" for none
	inst     *instance
	start    time.Time           // of the current upstream attempt
	end      time.Time           // of the last upstream attempt; the request's end for finish
	deadline time.Time           // the route timeout's end (net/http front; the lane keeps its own)
	canRetry bool                // the route and the attempt count allow a retry; see mayRetry
	budget   *retrybudget.Budget // of the upstream the current attempt went to
	span     trace.Span

	err      error // set by the error hook; nil after a proxied response
	status   int   // upstream status, when a response came back
	retryErr bool  // err came from a retryable 5xx answer
	// overloaded: the instance answered 503 or 429 with Retry-After, shedding
	// load or guarding a broken dependency of its own. It is alive and
	// answering fast, so its breaker does not count the answer.
	overloaded bool
	timedOut   atomic.Bool
	timer      *time.Timer
	// attemptTimedOut: the current attempt hit the route's attempt_timeout
	// (net/http front; the lane tells by its socket deadline).
	attemptTimedOut atomic.Bool
	attemptTimer    *time.Timer
	inbound         context.Context // the client's request context
	attempts        int
	wrote           int // status of an answer the gateway wrote itself

	w           http.ResponseWriter
	out         *http.Request // r with the attempt in its context
	body        []byte        // buffered body of a retryable request
	breakerOpen bool          // the picked instance's breaker refused
	aborted     any           // a panic (http.ErrAbortHandler) to re-raise

	// upgrade: a WebSocket upgrade request on a route that allows it. An
	// answer other than 101 closes the client connection.
	upgrade bool

	lane      *laneReq // set when the fast lane serves the request
	committed bool     // the lane sent the answer's head: no retry, no problem
}

// mayRetry reports whether a retryable answer (502, 503, 504) may be turned
// into a retry: the route and the attempt count allow one and the budget
// has room. It is asked only when such an answer comes, so a request that
// succeeds never reads the budget's clock.
func (a *attempt) mayRetry() bool {
	return a.canRetry && a.budget.CanRetry()
}

// clientGone reports whether the client left while the request was served.
func (a *attempt) clientGone() bool {
	if a.lane != nil {
		return a.lane.gone
	}
	return a.inbound.Err() != nil
}

type attemptKey struct{}

func attemptFrom(ctx context.Context) *attempt {
	a, _ := ctx.Value(attemptKey{}).(*attempt)
	return a
}

// errRetryableStatus marks an upstream 502/503/504 that the loop retries.
type errRetryableStatus struct{ code int }

func (e errRetryableStatus) Error() string { return "upstream answered " + http.StatusText(e.code) }

func (g *Gateway) newProxy(t http.RoundTripper) *httputil.ReverseProxy {
	return &httputil.ReverseProxy{
		Rewrite:   g.rewrite,
		Transport: checkedTransport{t},
		// 0: known-length bodies are written in one go; ReverseProxy itself
		// flushes SSE and unknown-length (streamed) bodies at once.
		FlushInterval:  0,
		BufferPool:     g.buffers,
		ModifyResponse: g.modifyResponse,
		ErrorHandler:   g.proxyError,
		ErrorLog:       g.errLog,
	}
}

// rewrite builds the outbound request by the edge policy. ReverseProxy
// has already removed hop-by-hop headers, the fields the client's
// Connection names (admission refused the request if it named any but
// end-to-end ones) and any client-sent X-Forwarded-* from pr.Out; rewrite
// drops the other fields the gateway frames or sets (edge.Kind), and the
// request's trailers: none is ever forwarded. The upstream gets the
// normalised path the route matched (after strip_prefix or rewrite), in
// edge.EscapePath's form.
func (g *Gateway) rewrite(pr *httputil.ProxyRequest) {
	a := attemptFrom(pr.Out.Context())
	out := pr.Out
	p := out.URL.Path // normalised by admit
	if a.rt.strip || a.rt.rewrite != "" {
		p = a.rt.upstreamPath(p, a.matched)
	}
	out.URL.Path, out.URL.RawPath = p, edge.EscapePath(p)
	out.Trailer = nil
	pr.SetURL(a.inst.url)
	h := out.Header
	dropToken := a.rt.jwt && !a.rt.up.cfg.ForwardToken // verified here; the claims go instead
	for k := range h {
		switch edge.ClassifyString(k) {
		case edge.Framing, edge.Host, edge.Trusted:
			delete(h, k)
		case edge.Hop:
			// ReverseProxy added back "Te: trailers" and, for a WebSocket
			// upgrade the route allows, Connection and Upgrade.
			if k != "Te" && (!a.upgrade || k != "Upgrade" && k != "Connection") {
				delete(h, k)
			}
		case edge.Guarded:
			if dropToken && k == "Authorization" {
				delete(h, k)
			}
		}
	}
	pr.SetXForwarded()
	if a.rt.up.cfg.Forwarded {
		h.Set("Forwarded", forwarded(pr.In))
	}
	h["X-Request-Id"] = []string{a.reqID}
	// What is left of the attempt's time, replacing any client's value.
	dl := a.deadline
	if at := a.rt.attempt; at > 0 && a.start.Add(at).Before(dl) {
		dl = a.start.Add(at)
	}
	h[httpt.HeaderTimeout] = []string{httpt.FormatTimeout(time.Until(dl))}
	if a.claims != "" {
		h[claimsHeader] = []string{a.claims}
	}
	if a.span != nil {
		propagation.TraceContext{}.Inject(trace.ContextWithSpan(out.Context(), a.span), propagation.HeaderCarrier(h))
	}
}

// forwarded is the RFC 7239 Forwarded value for r. The gateway is the edge:
// it replaces, never extends, what the client sent.
func forwarded(r *http.Request) string {
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		ip = r.RemoteAddr
	}
	proto := "http"
	if r.TLS != nil {
		proto = "https"
	}
	var b strings.Builder
	b.Grow(len(ip) + len(r.Host) + 32)
	b.WriteString(`for="`)
	if strings.IndexByte(ip, ':') >= 0 {
		b.WriteString("[" + ip + "]")
	} else {
		b.WriteString(ip)
	}
	b.WriteString(`";host="`)
	b.WriteString(strings.ReplaceAll(r.Host, `"`, ""))
	b.WriteString(`";proto=`)
	b.WriteString(proto)
	return b.String()
}

// modifyResponse records the upstream's answer and, while retries remain,
// turns a 502/503/504 into an error so the loop tries another instance.
func (g *Gateway) modifyResponse(res *http.Response) error {
	a := attemptFrom(res.Request.Context())
	a.status = res.StatusCode
	if a.upgrade && res.StatusCode != http.StatusSwitchingProtocols {
		a.w.Header()["Connection"] = []string{"close"}
	}
	delete(res.Header, "X-Request-Id") // the gateway's own is set
	if res.Trailer != nil {
		filterTrailers(res)
	}
	a.overloaded = (res.StatusCode == http.StatusServiceUnavailable || res.StatusCode == http.StatusTooManyRequests) &&
		res.Header.Get("Retry-After") != ""
	if a.attemptTimer != nil {
		a.attemptTimer.Stop() // the head came in time; the body is the route timeout's
	}
	if res.StatusCode == http.StatusSwitchingProtocols || strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		// A stream lives past the route timeout, which bounds its start.
		if a.timer != nil {
			a.timer.Stop()
		}
	}
	switch res.StatusCode {
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		if a.mayRetry() {
			a.retryErr = true
			return errRetryableStatus{res.StatusCode}
		}
	}
	return nil
}

// proxyError is called by ReverseProxy before anything was written to the
// client; the retry loop decides what to answer.
func (g *Gateway) proxyError(_ http.ResponseWriter, r *http.Request, err error) {
	attemptFrom(r.Context()).err = err
}

// filterTrailers keeps an upstream's trailers to the fields a response
// may carry to the client (edge.ForwardResponseField): those announced
// now, and those that arrive with the body's end.
func filterTrailers(res *http.Response) {
	keep := func() {
		for k := range res.Trailer {
			if !edge.ForwardResponseField(edge.ClassifyString(k), false, k) {
				delete(res.Trailer, k)
			}
		}
	}
	keep()
	res.Body = &trailerBody{ReadCloser: res.Body, atEOF: keep}
}

// trailerBody calls atEOF when its body ends, when net/http has filled
// the response's trailers.
type trailerBody struct {
	io.ReadCloser
	atEOF func()
}

func (b *trailerBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF {
		b.atEOF()
	}
	return n, err
}
