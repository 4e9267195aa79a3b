package nats

import (
	"context"
	"time"

	kitnats "github.com/go-kit/kit/transport/nats"
	"github.com/nats-io/nats.go"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/gantrykit/gantry/endpoint"
	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/telemetry"
)

// Subscriber serves request-reply calls on a subject with a typed endpoint.
// It is safe for concurrent use.
type Subscriber[Req, Resp any] struct {
	kit *kitnats.Subscriber
}

type ctxKey int

const cancelKey ctxKey = 0

// NewSubscriber builds a Subscriber: dec turns the request message into a
// Req, f handles it, enc renders the Resp as the reply body. Errors from
// any of them reply with [ErrorMsg] (kind in a header, problem+json body).
//
// The handler's context carries the caller's deadline (from the
// Gantry-Timeout header), trace context and request ID (X-Request-Id, or
// a new one).
func NewSubscriber[Req, Resp any](f endpoint.Func[Req, Resp], dec Decoder[Req], enc Encoder[Resp], opts ...Option) *Subscriber[Req, Resp] {
	o := newOptions(opts)
	kdec := func(ctx context.Context, msg *nats.Msg) (any, error) { return dec(ctx, msg) }
	kenc := func(ctx context.Context, reply string, nc *nats.Conn, resp any) error {
		v, _ := resp.(Resp) // f.Endpoint only returns Resp values
		body, err := enc(ctx, v)
		if err != nil {
			return err
		}
		return nc.Publish(reply, body)
	}
	kind := []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindServer)}
	before := func(ctx context.Context, msg *nats.Msg) context.Context {
		if msg.Header != nil {
			ctx = o.prop.Extract(ctx, telemetry.HeaderCarrier(msg.Header))
		}
		ctx = telemetry.WithRequestID(ctx, telemetry.IncomingRequestID(msg.Header.Get(telemetry.HeaderRequestID)))
		if o.tracer != nil {
			ctx, _ = o.tracer.Start(ctx, msg.Subject, kind...)
		}
		cancel := context.CancelFunc(func() {})
		if d, err := time.ParseDuration(msg.Header.Get(HeaderTimeout)); err == nil && d > 0 {
			ctx, cancel = context.WithTimeout(ctx, d)
		}
		return context.WithValue(ctx, cancelKey, cancel)
	}
	errEnc := func(ctx context.Context, err error, reply string, nc *nats.Conn) {
		span := trace.SpanFromContext(ctx)
		span.RecordError(err)
		span.SetStatus(codes.Error, errs.KindOf(err).String())
		_ = nc.PublishMsg(ErrorMsg(reply, err))
	}
	final := func(ctx context.Context, _ *nats.Msg) {
		if cancel, ok := ctx.Value(cancelKey).(context.CancelFunc); ok {
			cancel()
		}
		trace.SpanFromContext(ctx).End()
	}
	return &Subscriber[Req, Resp]{kit: kitnats.NewSubscriber(f.Endpoint(), kdec, kenc,
		kitnats.SubscriberBefore(before),
		kitnats.SubscriberErrorEncoder(errEnc),
		kitnats.SubscriberFinalizer(final),
	)}
}

// ServeMsg returns the nats.MsgHandler that serves requests arriving on nc.
func (s *Subscriber[Req, Resp]) ServeMsg(nc *nats.Conn) nats.MsgHandler {
	return s.kit.ServeMsg(nc)
}

// Subscribe serves subject in queue group queue, so that every instance of
// a service shares the load (an empty queue makes every subscriber answer).
// nats.go runs one handler at a time per subscription; subscribe several
// times for parallel handling. Stop with the subscription's Drain (or the
// connection's), which lets the request being handled finish.
func (s *Subscriber[Req, Resp]) Subscribe(nc *nats.Conn, subject, queue string) (*nats.Subscription, error) {
	return nc.QueueSubscribe(subject, queue, s.ServeMsg(nc))
}
