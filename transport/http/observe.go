package http

import (
	"net"
	"net/http"
	"strconv"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/gantrykit/gantry/telemetry"
)

// ScopeName is the instrumentation scope of the spans this package starts.
const ScopeName = "github.com/gantrykit/gantry/transport/http"

// MuxOption configures a Mux.
type MuxOption func(*observer)

// WithTracing makes the Mux follow each request as OpenTelemetry and the
// gateway expect. Before the route's handler runs, it
//
//   - extracts the caller's trace context and baggage with prop (nil: W3C
//     tracecontext + baggage), so the handler's context continues the
//     caller's trace, sampled or not;
//   - takes the caller's X-Request-Id (telemetry.HeaderRequestID) when it
//     is valid, or makes one, and puts it in the context
//     (telemetry.RequestID); the gateway, not the service, answers with it;
//   - starts a server span from tp (nil: none, the context above still
//     reaches the handler) named "{method} {route}" after the matched
//     pattern ("POST /v1/orders/{id}"; the method alone when no route
//     matched), with the semantic conventions' HTTP server attributes
//     (telemetry.SemconvVersion): http.request.method, http.route,
//     url.path, url.scheme, server.address, server.port,
//     user_agent.original, network.protocol.version,
//     http.response.status_code and, from 500 up, error.type and an error
//     status. The attributes are set only on spans the sampler records,
//     so an unsampled request pays for the span context alone.
//
// Without WithTracing a Mux reads none of these headers.
func WithTracing(tp trace.TracerProvider, prop propagation.TextMapPropagator) MuxOption {
	return func(o *observer) {
		if tp == nil {
			tp = noop.NewTracerProvider()
		}
		if prop == nil {
			prop = propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})
		}
		o.tracer = tp.Tracer(ScopeName, trace.WithSchemaURL(telemetry.SchemaURL))
		o.prop = prop
	}
}

// observer is a Mux's WithTracing state; nil when the option is absent.
type observer struct {
	tracer trace.Tracer
	prop   propagation.TextMapPropagator
}

var serverKind = []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindServer)}

// wrap returns h observed as the route method path ("" for both when no
// route matched). It also applies the HeaderTimeout deadline, so that the
// request is copied once.
func (o *observer) wrap(method, path string, h http.Handler) http.Handler {
	name := ""
	if method != "" {
		name = spanName(method, path)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := o.prop.Extract(r.Context(), telemetry.HeaderCarrier(r.Header))
		id := ""
		if v := r.Header[telemetry.HeaderRequestID]; len(v) == 1 {
			id = v[0]
		}
		ctx = telemetry.WithRequestID(ctx, telemetry.IncomingRequestID(id))
		n := name
		if n == "" {
			n = spanName(r.Method, path)
		}
		ctx, span := o.tracer.Start(ctx, n, serverKind...)
		defer span.End()
		ctx, cancel := withHeaderDeadline(ctx, r)
		if cancel != nil {
			defer cancel()
		}
		if !span.IsRecording() {
			h.ServeHTTP(w, r.WithContext(ctx))
			return
		}
		span.SetAttributes(serverAttrs(r, path)...)
		sw := &statusWriter{ResponseWriter: w}
		returned := false
		defer func() {
			if !returned {
				sw.code = http.StatusInternalServerError // a panic: net/http aborts the answer
			}
			endServerSpan(span, sw.status())
		}()
		h.ServeHTTP(sw, r.WithContext(ctx))
		returned = true
	})
}

// spanName is "{method} {route}", "{method}" without a route, and HTTP
// instead of a method the conventions do not know.
func spanName(method, route string) string {
	if knownMethod(method) == "_OTHER" {
		method = "HTTP"
	}
	if route == "" {
		return method
	}
	return method + " " + route
}

func knownMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodDelete,
		http.MethodConnect, http.MethodOptions, http.MethodTrace, http.MethodPatch, "QUERY":
		return m
	}
	return "_OTHER"
}

func serverAttrs(r *http.Request, route string) []attribute.KeyValue {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	attrs := make([]attribute.KeyValue, 0, 10)
	attrs = append(attrs, MethodAttrs(r.Method)...)
	if route != "" {
		attrs = append(attrs, attribute.String("http.route", route))
	}
	attrs = append(attrs,
		attribute.String("url.path", r.URL.Path),
		attribute.String("url.scheme", scheme),
		attribute.String("network.protocol.version", protoVersion(r)),
	)
	attrs = append(attrs, HostAttrs(r.Host, scheme)...)
	if ua := r.UserAgent(); ua != "" {
		attrs = append(attrs, attribute.String("user_agent.original", ua))
	}
	return attrs
}

// MethodAttrs returns http.request.method for m as the conventions want
// it: the method, or _OTHER with http.request.method_original.
func MethodAttrs(m string) []attribute.KeyValue {
	if k := knownMethod(m); k != "_OTHER" {
		return []attribute.KeyValue{attribute.String("http.request.method", k)}
	}
	return []attribute.KeyValue{attribute.String("http.request.method", "_OTHER"), attribute.String("http.request.method_original", m)}
}

// HostAttrs returns server.address and server.port for a host[:port]
// authority; the port is the scheme's default when the authority has none.
func HostAttrs(hostport, scheme string) []attribute.KeyValue {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		host, port = hostport, ""
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		p = 80
		if scheme == "https" {
			p = 443
		}
	}
	return []attribute.KeyValue{attribute.String("server.address", host), attribute.Int("server.port", p)}
}

func protoVersion(r *http.Request) string {
	if r.ProtoMajor == 2 {
		return "2"
	}
	return strconv.Itoa(r.ProtoMajor) + "." + strconv.Itoa(r.ProtoMinor)
}

// endServerSpan records the answer's status: an error from 500 up (a
// server span leaves 4xx to the client).
func endServerSpan(span trace.Span, status int) {
	span.SetAttributes(attribute.Int("http.response.status_code", status))
	if status >= 500 {
		span.SetAttributes(attribute.String("error.type", strconv.Itoa(status)))
		span.SetStatus(codes.Error, http.StatusText(status))
	}
}

// statusWriter remembers the status of the answer. It passes Flush on and
// unwraps for http.ResponseController.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 && code >= 200 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Flush() {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	http.NewResponseController(w.ResponseWriter).Flush() //nolint:errcheck // as http.Flusher: no error to return
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) status() int {
	if w.code == 0 {
		return http.StatusOK // nothing written: net/http answers 200
	}
	return w.code
}

// routePath is the path template of a ServeMux pattern: its path without
// the method or host.
func routePath(path string) string {
	if i := strings.IndexByte(path, '/'); i > 0 {
		return path[i:]
	}
	return path
}
