package nats

import (
	"time"

	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// Option configures a Subscriber or a client. The zero configuration does
// not trace and takes nothing from globals.
type Option func(*options)

type options struct {
	tracer  trace.Tracer // nil: no spans of our own (the context still propagates)
	prop    propagation.TextMapPropagator
	timeout time.Duration
}

// WithTracerProvider starts a span per request (client kind on the caller,
// server kind on the subscriber, named after the subject) and carries the
// trace context in the message headers.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(o *options) { o.tracer = tp.Tracer(scope) }
}

// WithPropagator sets how the trace context travels in headers; the default
// is W3C trace context.
func WithPropagator(p propagation.TextMapPropagator) Option {
	return func(o *options) { o.prop = p }
}

// WithTimeout bounds a client call whose context has no deadline (default
// 10s). A context deadline always wins when it is sooner.
func WithTimeout(d time.Duration) Option {
	return func(o *options) { o.timeout = d }
}

const scope = "github.com/gantrykit/gantry/transport/nats"

func newOptions(opts []Option) *options {
	o := &options{prop: propagation.TraceContext{}, timeout: 10 * time.Second}
	for _, opt := range opts {
		opt(o)
	}
	return o
}
