package tracing

import (
	"context"

	kitendpoint "github.com/go-kit/kit/endpoint"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/telemetry"
)

// ScopeName is the instrumentation scope name of the tracer this package
// asks the provider for.
const ScopeName = "github.com/gantrykit/gantry/middleware/tracing"

// RPCSystem is the rpc.system.name of endpoint spans: the operation is
// Gantry's (go-kit's) endpoint, whatever transport carried it.
const RPCSystem = "gantry"

// Tracer makes tracing middleware for named operations. It is safe for
// concurrent use; its per-operation state (span name and attributes) is
// built once in For.
type Tracer struct {
	tracer      trace.Tracer
	service     string
	kind        trace.SpanKind
	parentBased bool
	rootRatio   float64 // with parentBased: 0 starts no root span
}

// Option configures a Tracer.
type Option func(*Tracer)

// WithService names the service: span names and rpc.method are
// "service/op".
func WithService(name string) Option { return func(t *Tracer) { t.service = name } }

// WithSpanKind sets the kind of a span that is the first of its call in
// this process (no parent, or a remote one): trace.SpanKindServer by
// default, trace.SpanKindClient for client endpoints. Below a span of this
// process (a transport's server span, or the calling endpoint's span) the
// span is trace.SpanKindInternal, so that the transport's span is the one
// server or client span of the hop, as the semantic conventions want.
func WithSpanKind(k trace.SpanKind) Option { return func(t *Tracer) { t.kind = k } }

// WithParentBased tells the Tracer that its provider samples parent-based
// (sdktrace.ParentBased with its defaults for parents) and that its root
// sampler records rootRatio of new traces: 0 as always_off, 1 as
// always_on, a negative value for any other root sampler. The Tracer then
// starts no span where the provider would record none: below an unsampled
// parent (the context keeps the parent's span context, so logs and
// downstream calls still carry its trace ID), and for calls without a
// parent when rootRatio is 0. Such a call costs one context lookup. kit's
// App gives this option from its own sampler.
func WithParentBased(rootRatio float64) Option {
	return func(t *Tracer) { t.parentBased, t.rootRatio = true, rootRatio }
}

// New returns a Tracer that takes its tracer from tp. A nil tp traces
// nothing.
func New(tp trace.TracerProvider, opts ...Option) *Tracer {
	if tp == nil {
		tp = noop.NewTracerProvider()
	}
	t := &Tracer{kind: trace.SpanKindServer}
	for _, o := range opts {
		o(t)
	}
	t.tracer = tp.Tracer(ScopeName, trace.WithSchemaURL(telemetry.SchemaURL))
	return t
}

// For returns middleware that wraps each call of op in a span named
// "service/op", with rpc.system.name "gantry" and rpc.method "service/op"
// (semantic conventions telemetry.SemconvVersion). The span is in the
// context the endpoint below receives.
func (t *Tracer) For(op string) kitendpoint.Middleware {
	name := op
	if t.service != "" {
		name = t.service + "/" + op
	}
	attrs := trace.WithAttributes(attribute.String("rpc.system.name", RPCSystem), attribute.String("rpc.method", name))
	first := []trace.SpanStartOption{trace.WithSpanKind(t.kind), attrs}
	inner := []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindInternal), attrs}
	tracer, parentBased, skipRoots := t.tracer, t.parentBased, t.parentBased && t.rootRatio == 0
	return func(next kitendpoint.Endpoint) kitendpoint.Endpoint {
		return func(ctx context.Context, req any) (any, error) {
			parent := trace.SpanContextFromContext(ctx)
			opts := first
			switch {
			case !parent.IsValid():
				if skipRoots {
					return next(ctx, req)
				}
			case parentBased && !parent.IsSampled():
				return next(ctx, req)
			case !parent.IsRemote():
				opts = inner
			}
			ctx, span := tracer.Start(ctx, name, opts...)
			resp, err := next(ctx, req)
			if err != nil && span.IsRecording() {
				kind := errs.KindOf(err).String()
				span.SetAttributes(attribute.String("error.type", kind))
				span.RecordError(err)
				span.SetStatus(codes.Error, kind)
			}
			span.End()
			return resp, err
		}
	}
}
