package events

import (
	"log/slog"
	"time"

	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/gantrykit/gantry/telemetry"
)

// Option configures a Publisher or a Subscriber. The zero configuration is
// JSON, no tracing, nothing from globals.
type Option func(*options)

type options struct {
	codec   Codec
	tracer  trace.Tracer
	prop    propagation.TextMapPropagator
	typ     string
	version int
	metrics *Metrics // nil: no metrics
	logger  *slog.Logger

	attemptTimeout time.Duration
	// apiAttempt bounds one JetStream API request of Subscriber.Start
	// (apiAttempt, 5s). Tests shorten it.
	apiAttempt time.Duration
	// drainBound is how long a stopping Subscriber waits for its drained
	// Consume beyond the pull expiry (see awaitDrained). Tests shorten it.
	drainBound time.Duration
}

// WithCodec sets the payload encoding (default JSON). Publisher and
// Subscriber of one subject must agree.
func WithCodec(c Codec) Option { return func(o *options) { o.codec = c } }

// WithTracerProvider makes a producer span per publish ("publish SUBJECT")
// and a consumer span per handled event ("process SUBJECT"), the latter a
// child of the former through the trace context in the headers (a child,
// not a link, so that an event's handling belongs to the trace of the
// request that published it). Both carry the semantic conventions'
// messaging attributes (telemetry.SemconvVersion): messaging.system nats,
// messaging.operation.type send or process, messaging.operation.name,
// messaging.destination.name (the subject), messaging.message.id (the
// event ID), messaging.message.body.size, and on process spans
// messaging.consumer.group.name (the durable). The request ID
// (telemetry.RequestID) travels in the X-Request-Id header with or
// without tracing.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(o *options) { o.tracer = tp.Tracer(scope, trace.WithSchemaURL(telemetry.SchemaURL)) }
}

// WithPropagator sets how the trace context travels in headers (default
// W3C trace context).
func WithPropagator(p propagation.TextMapPropagator) Option {
	return func(o *options) { o.prop = p }
}

// WithType sets the event type and schema version a Publisher stamps on
// its events (default: the subject, version 1).
func WithType(name string, version int) Option {
	return func(o *options) { o.typ, o.version = name, version }
}

// WithAttemptTimeout bounds how long a Publisher waits for the ack of one
// attempt before it sends the event again with the same ID (default 2s: an
// ack normally takes milliseconds, and an attempt sent to a server that
// died is never answered).
func WithAttemptTimeout(d time.Duration) Option {
	return func(o *options) { o.attemptTimeout = d }
}

const scope = "github.com/gantrykit/gantry/events"

func newOptions(opts []Option) *options {
	o := &options{codec: JSON{}, tracer: noop.NewTracerProvider().Tracer(scope), prop: propagation.TraceContext{}, version: 1,
		attemptTimeout: 2 * time.Second, apiAttempt: apiAttempt, drainBound: 5 * time.Second, logger: slog.New(slog.DiscardHandler)}
	for _, opt := range opts {
		opt(o)
	}
	return o
}
