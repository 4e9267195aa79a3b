package grpc

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	otelcodes "go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// serverObserver is the server's one interceptor (unary and stream): it
// takes the trace context out of the request metadata, starts a server span
// per RPC and records grpc_server_handling_seconds, each only if configured.
//
// It is an interceptor rather than a stats.Handler on purpose: with any
// stats handler installed, grpc-go copies every call's metadata into a new
// map and emits six events per unary call, which cost more than the rest of
// this type together (see bench/ and docs/benchmarks.md).
type serverObserver struct {
	tracer trace.Tracer // nil: no spans
	// unsampledOnly and noRoots say which calls the provider's sampler
	// would not record (WithParentBased): those start no span.
	unsampledOnly, noRoots bool
	prop                   propagation.TextMapPropagator // nil: no trace context from the caller
	metrics                *prometheus.HistogramVec      // nil: no histogram
	methods                *methodTable
	// carriers holds incomingCarriers, so that reading the caller's trace
	// context does not allocate one per call.
	carriers sync.Pool
}

func newServerObserver(o *options) *serverObserver {
	if o.tp == nil && o.prop == nil && o.metrics == nil {
		return nil
	}
	s := &serverObserver{prop: o.prop, methods: newMethodTable(trace.SpanKindServer, false)}
	s.carriers.New = func() any { return new(incomingCarrier) }
	if o.tp != nil {
		s.tracer = o.tp.Tracer(scopeName)
		s.unsampledOnly, s.noRoots = o.parentBased, o.parentBased && o.rootRatio == 0
	}
	if o.metrics != nil {
		s.metrics = o.metrics.server
	}
	return s
}

// scopeName is the instrumentation scope of the transport's spans.
const scopeName = "github.com/gantrykit/gantry/transport/grpc"

func (s *serverObserver) unary(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
	m := s.methods.get(info.FullMethod)
	start := time.Now()
	ctx, span := s.begin(ctx, m)
	resp, err := h(ctx, req)
	s.end(m, span, start, err)
	return resp, err
}

func (s *serverObserver) stream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
	m := s.methods.get(info.FullMethod)
	start := time.Now()
	ctx, span := s.begin(ss.Context(), m)
	if span != nil || ctx != ss.Context() {
		ss = &serverStream{ServerStream: ss, ctx: ctx}
	}
	err := h(srv, ss)
	s.end(m, span, start, err)
	return err
}

func (s *serverObserver) begin(ctx context.Context, m *method) (context.Context, trace.Span) {
	if s.prop != nil {
		md := incomingMD(ctx)
		c := s.carriers.Get().(*incomingCarrier)
		c.md = md
		ctx = s.prop.Extract(ctx, c)
		c.md = nil
		s.carriers.Put(c)
		ctx = withIncomingRequestID(ctx, md)
	}
	if s.tracer == nil {
		return ctx, nil
	}
	if s.unsampledOnly {
		if p := trace.SpanContextFromContext(ctx); (p.IsValid() && !p.IsSampled()) || (!p.IsValid() && s.noRoots) {
			return ctx, nil
		}
	}
	ctx, span := s.tracer.Start(ctx, m.name, m.spanOpts...)
	if span.IsRecording() {
		span.SetAttributes(m.attrs...)
	}
	return ctx, span
}

func (s *serverObserver) end(m *method, span trace.Span, start time.Time, err error) {
	code := status.Code(err)
	if s.metrics != nil {
		m.observer(s.metrics, code).Observe(time.Since(start).Seconds())
	}
	if span == nil {
		return
	}
	if span.IsRecording() {
		span.SetAttributes(semconv.RPCResponseStatusCode(canonicalCode(code)))
		if serverFault(code) {
			span.SetStatus(otelcodes.Error, status.Convert(err).Message())
		}
	}
	span.End()
}

// serverFault reports the codes that mark a server span as failed, as the
// semantic conventions list them; the others are the caller's doing.
func serverFault(c codes.Code) bool {
	switch c {
	case codes.Unknown, codes.DeadlineExceeded, codes.Unimplemented, codes.Internal, codes.Unavailable, codes.DataLoss:
		return true
	}
	return false
}

// canonicalCode is a code's name as the semantic conventions spell it
// (UPPER_SNAKE_CASE, CANCELLED with two Ls).
func canonicalCode(c codes.Code) string {
	if int(c) < len(codeNames) {
		return codeNames[c]
	}
	return "UNKNOWN"
}

var codeNames = [...]string{
	"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
	"PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
	"UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
}

// serverStream gives a stream handler the context with the caller's trace
// context and the server span.
type serverStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *serverStream) Context() context.Context { return s.ctx }

// incomingCarrier reads the request metadata (incomingMD) for a
// propagator.
type incomingCarrier struct{ md metadata.MD }

func (c *incomingCarrier) Get(key string) string { return first(c.md, key) }

func (*incomingCarrier) Set(string, string) {}

func (c *incomingCarrier) Keys() []string {
	keys := make([]string, 0, len(c.md))
	for k := range c.md {
		keys = append(keys, k)
	}
	return keys
}
