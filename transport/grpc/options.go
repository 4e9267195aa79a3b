package grpc

import (
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
)

// Option configures a Server or the dial options of a client connection.
// The zero configuration has no tracing and no metrics: nothing is taken
// from globals.
type Option func(*options)

type options struct {
	tp          trace.TracerProvider
	parentBased bool
	rootRatio   float64 // with parentBased: 0 starts no root span
	prop        propagation.TextMapPropagator
	metrics     *Metrics
	serverOpts  []grpc.ServerOption
}

// WithTracerProvider traces every RPC with a span from tp, named and
// attributed after OpenTelemetry's RPC semantic conventions (v1.43:
// "pkg.Service/Method", rpc.system.name, rpc.method,
// rpc.response.status_code), and carries the trace context in the request
// metadata, with the request ID (telemetry.RequestID) beside it under
// x-request-id: a client sends its context's, a server takes the caller's
// (or makes one) into the handler's context. Servers start their spans in
// an interceptor; clients use otelgrpc's stats handler.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(o *options) { o.tp = tp }
}

// WithParentBased tells a Server that its TracerProvider samples
// parent-based (sdktrace.ParentBased with its defaults for parents) and
// that its root sampler records rootRatio of new traces: 0 as always_off,
// 1 as always_on, a negative value for any other root sampler. The Server
// then starts no span where the provider would record none: below an
// unsampled caller (the handler's context keeps the caller's span context,
// so logs and onward calls still carry its trace ID), and for calls
// without a trace context when rootRatio is 0. Such a call costs no span,
// no IDs and no context for it. kit/grpckit gives this option from the
// App's sampler, as kit gives tracing.WithParentBased to the endpoint
// chain. It has no effect on clients.
func WithParentBased(rootRatio float64) Option {
	return func(o *options) { o.parentBased, o.rootRatio = true, rootRatio }
}

// WithPropagator sets how the trace context travels in metadata; the
// default, when a TracerProvider is set, is W3C trace context. A server
// given a propagator and no TracerProvider starts no spans of its own but
// puts the caller's trace context in each call's context, for the endpoint
// chain's tracing middleware to continue: the way Gantry serves HTTP.
func WithPropagator(p propagation.TextMapPropagator) Option {
	return func(o *options) { o.prop = p }
}

// WithMetrics records RPC durations in m (grpc_server_handling_seconds for
// a Server, grpc_client_handling_seconds for a client connection; see
// [Metrics]). A metric-name clash on the registry is NewMetrics's error,
// at construction. A nil m records nothing.
func WithMetrics(m *Metrics) Option {
	return func(o *options) { o.metrics = m }
}

// WithServerOptions passes options to the underlying grpc.Server (limits,
// credentials, keepalive...). It has no effect on clients.
func WithServerOptions(opts ...grpc.ServerOption) Option {
	return func(o *options) { o.serverOpts = append(o.serverOpts, opts...) }
}

func newOptions(opts []Option) *options {
	o := &options{}
	for _, opt := range opts {
		opt(o)
	}
	if o.tp != nil && o.prop == nil {
		o.prop = propagation.TraceContext{}
	}
	return o
}

func (o *options) otel() []otelgrpc.Option {
	return []otelgrpc.Option{
		otelgrpc.WithTracerProvider(o.tp),
		otelgrpc.WithPropagators(o.prop),
		otelgrpc.WithMeterProvider(metricnoop.NewMeterProvider()),
	}
}

// DialOptions returns the grpc.DialOptions that trace and measure a client
// connection as configured by opts; append them to your own:
//
//	cc, err := grpc.NewClient(target, append(grpct.DialOptions(opts...), creds)...)
func DialOptions(opts ...Option) []grpc.DialOption {
	o := newOptions(opts)
	var out []grpc.DialOption
	if o.tp != nil {
		out = append(out, grpc.WithStatsHandler(otelgrpc.NewClientHandler(o.otel()...)),
			grpc.WithChainUnaryInterceptor(requestIDClient), grpc.WithChainStreamInterceptor(requestIDStreamClient))
	}
	if o.metrics != nil {
		out = append(out, grpc.WithStatsHandler(newClientMetrics(o.metrics)))
	}
	return out
}
