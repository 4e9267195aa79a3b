package gateway

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gantrykit/gantry/telemetry"
	httpt "github.com/gantrykit/gantry/transport/http"
)

// The gateway's spans follow the semantic conventions of
// telemetry.SemconvVersion: a server span per request named
// "{method} {route template}" with http.route the template (the
// pattern's path, or the prefix followed by "/{path...}", with a
// "/{version}" segment first for versioned routes), and a client span per
// upstream attempt named after its method, with url.full. Both carry
// gateway.route and gateway.upstream, the names the gateway_* metrics are
// labelled with.

// routeTemplate is the http.route of a route configured with pattern or
// prefix and version.
func routeTemplate(pattern, prefix, version string) string {
	path := prefix + "/{path...}"
	if prefix == "/" {
		path = "/{path...}"
	}
	if pattern != "" {
		_, path, _ = strings.Cut(strings.TrimSpace(pattern), " ")
		if path == "" || !strings.Contains(pattern, " ") {
			path = strings.TrimSpace(pattern)
		}
		if i := strings.IndexByte(path, '/'); i > 0 {
			path = path[i:] // no host
		}
	}
	if version != "" {
		path = "/" + version + path
	}
	return path
}

// startServerSpan starts the request's server span; its name is set in
// full only when it records, so that an unsampled request allocates none.
//
// A request whose context already holds a span started in this process
// (the server span of the kit Mux, or of otelhttp, the gateway is mounted
// on) has its server span: the gateway names that span and sets its
// attributes instead of starting a second server span for the same hop,
// and leaves ending it to its owner.
func (g *Gateway) startServerSpan(ctx context.Context, rt *route, method string) (context.Context, trace.Span) {
	var span trace.Span
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() && !sc.IsRemote() {
		span = mounted{trace.SpanFromContext(ctx)}
	} else {
		ctx, span = g.tracer.Start(ctx, rt.template, g.server...)
	}
	if span.IsRecording() {
		name := method + " " + rt.template
		if len(httpt.MethodAttrs(method)) > 1 {
			name = "HTTP " + rt.template
		}
		span.SetName(name)
	}
	return ctx, span
}

// mounted is the server span of the handler the gateway is mounted on,
// which that handler ends.
type mounted struct{ trace.Span }

// End leaves the span to its owner.
func (mounted) End(...trace.SpanEndOption) {}

// requestAttrs records what the front read of the request on a recording
// span.
func requestAttrs(span trace.Span, rt *route, method, path, scheme, host, userAgent string) {
	if !span.IsRecording() {
		return
	}
	attrs := append(httpt.MethodAttrs(method),
		attribute.String("http.route", rt.template),
		attribute.String("url.path", path),
		attribute.String("url.scheme", scheme),
		attribute.String("gateway.route", rt.name),
		attribute.String("gateway.upstream", rt.up.name),
	)
	attrs = append(attrs, httpt.HostAttrs(host, scheme)...)
	if userAgent != "" {
		attrs = append(attrs, attribute.String("user_agent.original", userAgent))
	}
	span.SetAttributes(attrs...)
}

// endServerSpan records the answer's status and ends the span: an error
// from 500 up, as for any server span.
func endServerSpan(span trace.Span, code int) {
	if span.IsRecording() {
		span.SetAttributes(attribute.Int("http.response.status_code", code))
		if code >= 500 {
			span.SetAttributes(attribute.String("error.type", strconv.Itoa(code)))
			span.SetStatus(codes.Error, http.StatusText(code))
		}
	}
	span.End()
}

// startAttempt starts an attempt's client span (named after the method, as
// the conventions name a client span without a URL template), or returns
// ok false below a parent the sampler dropped.
func (g *Gateway) startAttempt(ctx context.Context, a *attempt, in *instance) (span trace.Span, ok bool) {
	parent := trace.SpanFromContext(ctx)
	if !parent.IsRecording() && !parent.SpanContext().IsSampled() {
		return parent, false // dropped too (parent-based sampling): propagate the parent
	}
	_, span = g.tracer.Start(ctx, a.method(), g.client...)
	if span.IsRecording() {
		attrs := append(httpt.MethodAttrs(a.method()), attribute.String("gateway.upstream", a.rt.up.name),
			attribute.String("url.full", httpt.RedactURL(a.upstreamURL(in))))
		span.SetAttributes(append(attrs, httpt.HostAttrs(in.url.Host, in.url.Scheme)...)...)
	}
	return span, true
}

// upstreamURL is the URL an attempt sends to in, as both fronts build it:
// the instance's base, the path the route matched (after strip_prefix or
// rewrite), the client's query.
func (a *attempt) upstreamURL(in *instance) *url.URL {
	p, q := "", ""
	if a.lane != nil {
		p, q = a.lane.r.Path(), string(a.lane.r.Query())
	} else {
		p, q = a.out.URL.Path, a.out.URL.RawQuery
	}
	if a.rt.strip || a.rt.rewrite != "" {
		p = a.rt.upstreamPath(p, a.matched)
	}
	if base := in.url.Path; base != "" {
		p = joinPath(base, p)
	}
	return &url.URL{Scheme: in.url.Scheme, Host: in.url.Host, Path: p, RawQuery: q}
}

// endAttempt records an attempt's outcome and ends its span: an error for
// a status from 400 up or a failure (outcome names it).
func endAttempt(span trace.Span, status int, outcome string, err error) {
	if span.IsRecording() {
		if status != 0 {
			span.SetAttributes(attribute.Int("http.response.status_code", status))
		}
		switch {
		case status >= 400:
			span.SetAttributes(attribute.String("error.type", strconv.Itoa(status)))
			span.SetStatus(codes.Error, http.StatusText(status))
		case err != nil:
			span.SetAttributes(attribute.String("error.type", outcome))
			span.SetStatus(codes.Error, err.Error())
		}
	}
	span.End()
}

// accessLog writes the request's access line. trace_id and request_id are
// written here too, so that the line joins the trace whatever handler the
// logger has; telemetry.NewHandler keeps them once.
func (g *Gateway) accessLog(ctx context.Context, a *attempt, method, path string, code int, span trace.Span, d time.Duration) {
	inst := ""
	if a.inst != nil {
		inst = a.inst.key
	}
	attrs := []slog.Attr{
		slog.String(telemetry.KeyRoute, a.rt.name),
		slog.String(telemetry.KeyMethod, method),
		slog.String(telemetry.KeyPath, path),
		slog.String(telemetry.KeyUpstream, a.rt.up.name),
		slog.String(telemetry.KeyUpstreamInstance, inst),
		slog.Int(telemetry.KeyStatus, code),
		slog.Duration(telemetry.KeyDuration, d),
		slog.Int("attempts", a.attempts),
		slog.String(telemetry.KeyRequestID, a.reqID),
	}
	if sc := span.SpanContext(); sc.IsValid() {
		attrs = append(attrs, slog.String(telemetry.KeyTraceID, sc.TraceID().String()))
	}
	g.logger.LogAttrs(ctx, slog.LevelInfo, "request", attrs...)
}

// method is the method the attempt sends upstream.
func (a *attempt) method() string {
	if a.lane != nil {
		return a.lane.r.Method()
	}
	return a.out.Method
}

// unroutedID gives a request the gateway answers without a route (no
// route matched, or admission refused it) its request ID, on the answer
// too; call it before writing the answer.
func unroutedID(w http.ResponseWriter, r *http.Request) string {
	id := requestID(r)
	w.Header()["X-Request-Id"] = []string{id}
	return id
}

// logUnrouted writes the access line of a request answered without a
// route: no span was started, so its trace ID is the caller's, if any.
func (g *Gateway) logUnrouted(r *http.Request, id string, status int, extra ...slog.Attr) {
	ctx := r.Context()
	if !g.logger.Enabled(ctx, slog.LevelInfo) {
		return
	}
	attrs := append([]slog.Attr{slog.String(telemetry.KeyRoute, ""), slog.String(telemetry.KeyMethod, r.Method),
		slog.String(telemetry.KeyPath, r.URL.Path), slog.Int(telemetry.KeyStatus, status),
		slog.String(telemetry.KeyRequestID, id)}, extra...)
	if v := r.Header["Traceparent"]; len(v) == 1 {
		if sc := trace.SpanContextFromContext(propagation.TraceContext{}.Extract(ctx, propagation.HeaderCarrier(r.Header))); sc.IsValid() {
			attrs = append(attrs, slog.String(telemetry.KeyTraceID, sc.TraceID().String()))
		}
	}
	g.logger.LogAttrs(ctx, slog.LevelInfo, "request", attrs...)
}

// observeDuration records a request's duration on rt's histogram, with the
// trace ID as an exemplar when the request was sampled, at most once a
// second per route (a histogram keeps one exemplar per bucket; a scrape
// reads them every few seconds).
func (rt *route) observeDuration(d time.Duration, sc trace.SpanContext, now time.Time) {
	if sc.IsSampled() {
		if last := rt.exemplarAt.Load(); now.UnixNano()-last >= int64(time.Second) && rt.exemplarAt.CompareAndSwap(last, now.UnixNano()) {
			if eo, ok := rt.m.duration.(prometheus.ExemplarObserver); ok {
				eo.ObserveWithExemplar(d.Seconds(), prometheus.Labels{"trace_id": sc.TraceID().String()})
				return
			}
		}
	}
	rt.m.duration.Observe(d.Seconds())
}
