package tracing

import (
	"context"
	"math/rand/v2"

	kitendpoint "github.com/go-kit/kit/endpoint"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/gantrykit/gantry/errs"
)

// ScopeName is the instrumentation scope name of the tracer this package
// asks the provider for.
const ScopeName = "github.com/gantrykit/gantry/middleware/tracing"

// Tracer makes tracing middleware for named operations. It is safe for
// concurrent use; its per-operation state (span name and start options) is
// built once in For.
type Tracer struct {
	tracer    trace.Tracer
	service   string
	kind      trace.SpanKind
	rootRatio float64 // < 0: leave root sampling to the provider
}

// Option configures a Tracer.
type Option func(*Tracer)

// WithService names the service: it prefixes span names and is the
// rpc.service attribute.
func WithService(name string) Option { return func(t *Tracer) { t.service = name } }

// WithSpanKind sets the span kind; the default is trace.SpanKindServer. Use
// trace.SpanKindClient for client endpoints.
func WithSpanKind(k trace.SpanKind) Option { return func(t *Tracer) { t.kind = k } }

// WithRootSampling makes the middleware decide head sampling for root calls:
// a fraction ratio (clamped to [0, 1]) of calls with no parent span context
// start a span, the others start none. Use it with a provider whose sampler
// records every root span it is asked for, such as
// sdktrace.ParentBased(sdktrace.AlwaysSample()), or the two decisions
// multiply. See the package doc for the trade-off.
func WithRootSampling(ratio float64) Option {
	return func(t *Tracer) { t.rootRatio = min(max(ratio, 0), 1) }
}

// New returns a Tracer that takes its tracer from tp. A nil tp traces
// nothing.
func New(tp trace.TracerProvider, opts ...Option) *Tracer {
	if tp == nil {
		tp = noop.NewTracerProvider()
	}
	t := &Tracer{kind: trace.SpanKindServer, rootRatio: -1}
	for _, o := range opts {
		o(t)
	}
	t.tracer = tp.Tracer(ScopeName)
	return t
}

// For returns middleware that wraps each call of op in a span. The span is
// in the context the endpoint below receives.
func (t *Tracer) For(op string) kitendpoint.Middleware {
	name := op
	attrs := []attribute.KeyValue{attribute.String("rpc.method", op)}
	if t.service != "" {
		name = t.service + "/" + op
		attrs = append(attrs, attribute.String("rpc.service", t.service))
	}
	startOpts := []trace.SpanStartOption{trace.WithSpanKind(t.kind), trace.WithAttributes(attrs...)}
	tracer, ratio := t.tracer, t.rootRatio
	return func(next kitendpoint.Endpoint) kitendpoint.Endpoint {
		return func(ctx context.Context, req any) (any, error) {
			if ratio >= 0 && (ratio == 0 || rand.Float64() >= ratio) &&
				!trace.SpanContextFromContext(ctx).IsValid() {
				return next(ctx, req)
			}
			ctx, span := tracer.Start(ctx, name, startOpts...)
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
