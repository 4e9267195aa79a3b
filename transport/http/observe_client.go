package http

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	kitendpoint "github.com/go-kit/kit/endpoint"
	kithttp "github.com/go-kit/kit/transport/http"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/telemetry"
)

// WithClientTracing makes each call a client span from tp named
// "{method} {pattern}" ("GET /v1/orders/{id}"), with the semantic
// conventions' HTTP client attributes: http.request.method, url.full
// (RedactURL), url.template, server.address, server.port,
// http.response.status_code and, for an error, error.type (the status
// from 400 up, else the error kind) and an error status. The trace
// context and baggage are injected with prop (nil: W3C tracecontext +
// baggage).
//
// Without it a Client still injects the context's trace context and
// baggage (W3C) and its request ID (telemetry.HeaderRequestID), and starts
// no span.
func WithClientTracing(tp trace.TracerProvider, prop propagation.TextMapPropagator) ClientOption {
	return func(cfg *clientConfig) {
		if tp != nil {
			cfg.tracer = tp.Tracer(ScopeName, trace.WithSchemaURL(telemetry.SchemaURL))
		}
		if prop != nil {
			cfg.prop = prop
		}
	}
}

var defaultPropagator = propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})

var clientKind = []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindClient)}

// observedClient sends each request with the context's trace context and
// request ID, and records the exchange on the client span, if any.
type observedClient struct {
	next   kithttp.HTTPClient
	prop   propagation.TextMapPropagator
	traced bool // the span in the request's context is the call's own
}

func (c observedClient) Do(r *http.Request) (*http.Response, error) {
	ctx := r.Context()
	c.prop.Inject(ctx, telemetry.HeaderCarrier(r.Header))
	if id := telemetry.RequestID(ctx); id != "" {
		r.Header[telemetry.HeaderRequestID] = []string{id}
	}
	if !c.traced {
		return c.next.Do(r)
	}
	span := trace.SpanFromContext(ctx)
	if !span.IsRecording() {
		return c.next.Do(r)
	}
	scheme := r.URL.Scheme
	attrs := append(MethodAttrs(r.Method), attribute.String("url.full", RedactURL(r.URL)))
	span.SetAttributes(append(attrs, HostAttrs(r.URL.Host, scheme)...)...)
	resp, err := c.next.Do(r)
	if err != nil {
		span.SetAttributes(attribute.String("error.type", errs.KindOf(transportError(err)).String()))
		return resp, err
	}
	span.SetAttributes(attribute.Int("http.response.status_code", resp.StatusCode))
	if resp.StatusCode >= 400 {
		span.SetAttributes(attribute.String("error.type", strconv.Itoa(resp.StatusCode)))
	}
	return resp, nil
}

// traceCall wraps e, the call of one pattern, in a client span.
func traceCall(tracer trace.Tracer, method, pattern string, e kitendpoint.Endpoint) kitendpoint.Endpoint {
	name := spanName(method, pattern)
	template := attribute.String("url.template", pattern)
	return func(ctx context.Context, req any) (any, error) {
		ctx, span := tracer.Start(ctx, name, clientKind...)
		defer span.End()
		if span.IsRecording() {
			span.SetAttributes(template)
		}
		resp, err := e(ctx, req)
		if err != nil && span.IsRecording() {
			span.SetStatus(codes.Error, err.Error())
		}
		return resp, err
	}
}

// RedactURL returns u as url.full may record it: without user
// information, and with the values of the query keys the semantic
// conventions name as secrets (AWSAccessKeyId, Signature, sig,
// X-Goog-Signature) replaced by REDACTED.
func RedactURL(u *url.URL) string {
	if u.User == nil && u.RawQuery == "" {
		return u.String()
	}
	c := *u
	if c.User != nil {
		c.User = url.UserPassword("REDACTED", "REDACTED")
	}
	if c.RawQuery != "" {
		q, changed := c.Query(), false
		for _, k := range []string{"AWSAccessKeyId", "Signature", "sig", "X-Goog-Signature"} {
			if vs, ok := q[k]; ok {
				for i := range vs {
					vs[i] = "REDACTED"
				}
				changed = true
			}
		}
		if changed {
			c.RawQuery = q.Encode()
		}
	}
	return c.String()
}
