package nats

import (
	"context"
	"time"

	"github.com/nats-io/nats.go"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/gantrykit/gantry/endpoint"
	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/telemetry"
)

// NewClient returns a typed endpoint that sends a request on subject over
// nc and waits for the reply. It waits until the context's deadline, or the
// WithTimeout default (10s) when the context has none, and tells the
// subscriber how long it waits in the Gantry-Timeout header; the trace
// context and the request ID (X-Request-Id) travel in the headers too.
//
// Errors: the subscriber's error comes back as an *errs.Error of the same
// kind and message; no subscriber is Unavailable; no reply in time is
// DeadlineExceeded. The endpoint is safe for concurrent use.
//
// It is built on nats.go rather than go-kit's nats Publisher, which drops
// message headers.
func NewClient[Req, Resp any](nc *nats.Conn, subject string, enc Encoder[Req], dec Decoder[Resp], opts ...Option) endpoint.Func[Req, Resp] {
	o := newOptions(opts)
	kind := []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindClient)}
	return func(ctx context.Context, req Req) (Resp, error) {
		var zero Resp
		if _, ok := ctx.Deadline(); !ok {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, o.timeout)
			defer cancel()
		}
		if o.tracer == nil {
			return roundTrip(ctx, nc, subject, req, enc, dec, o)
		}
		ctx, span := o.tracer.Start(ctx, subject, kind...)
		defer span.End()
		resp, err := roundTrip(ctx, nc, subject, req, enc, dec, o)
		if err != nil {
			span.SetStatus(codes.Error, errs.KindOf(err).String())
			return zero, err
		}
		return resp, nil
	}
}

func roundTrip[Req, Resp any](ctx context.Context, nc *nats.Conn, subject string, req Req, enc Encoder[Req], dec Decoder[Resp], o *options) (Resp, error) {
	var zero Resp
	body, err := enc(ctx, req)
	if err != nil {
		return zero, err
	}
	msg := &nats.Msg{Subject: subject, Data: body, Header: nats.Header{}}
	deadline, _ := ctx.Deadline()
	msg.Header.Set(HeaderTimeout, time.Until(deadline).String())
	o.prop.Inject(ctx, telemetry.HeaderCarrier(msg.Header))
	if id := telemetry.RequestID(ctx); id != "" {
		msg.Header[telemetry.HeaderRequestID] = []string{id}
	}
	reply, err := nc.RequestMsgWithContext(ctx, msg)
	if err != nil {
		return zero, requestError(subject, err)
	}
	if err := ReplyError(reply); err != nil {
		return zero, err
	}
	return dec(ctx, reply)
}
