package events

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// Publisher publishes events of type T on one subject of a JetStream
// stream. It is safe for concurrent use.
type Publisher[T any] struct {
	js      jetstream.JetStream
	subject string
	o       *options
}

// NewPublisher returns a Publisher for subject; a stream must capture the
// subject (see EnsureStream).
func NewPublisher[T any](js jetstream.JetStream, subject string, opts ...Option) *Publisher[T] {
	o := newOptions(opts)
	if o.typ == "" {
		o.typ = subject
	}
	return &Publisher[T]{js: js, subject: subject, o: o}
}

// ErrNoID is returned by Publish for an empty event ID.
var ErrNoID = errors.New("events: event ID is empty")

// Publish stores one event and waits for the stream's acknowledgement.
// id identifies the event: it is sent as Nats-Msg-Id, so publishing the
// same id again within the stream's duplicate window stores it once (the
// returned ack then has Duplicate set). Retrying a failed Publish with the
// same id is therefore always safe. The context bounds the wait.
func (p *Publisher[T]) Publish(ctx context.Context, id string, v T) (*jetstream.PubAck, error) {
	if id == "" {
		return nil, ErrNoID
	}
	ctx, span := p.o.tracer.Start(ctx, "publish "+p.subject, trace.WithSpanKind(trace.SpanKindProducer))
	defer span.End()
	data, err := p.o.codec.Marshal(v)
	if err != nil {
		span.SetStatus(codes.Error, "encode")
		return nil, fmt.Errorf("events: encode %s: %w", p.o.typ, err)
	}
	msg := &nats.Msg{Subject: p.subject, Data: data, Header: make(nats.Header, 6)}
	msg.Header.Set(jetstream.MsgIDHeader, id)
	msg.Header.Set(HeaderType, p.o.typ)
	msg.Header.Set(HeaderVersion, strconv.Itoa(p.o.version))
	msg.Header.Set(HeaderContentType, p.o.codec.ContentType())
	p.o.prop.Inject(ctx, propagation.HeaderCarrier(http.Header(msg.Header)))
	start := time.Now()
	ack, err := p.js.PublishMsg(ctx, msg)
	if p.o.metrics != nil {
		p.o.metrics.publish.WithLabelValues("publish", p.subject).Observe(time.Since(start).Seconds())
	}
	if err != nil {
		span.SetStatus(codes.Error, "publish")
		return nil, fmt.Errorf("events: publish %s %s: %w", p.subject, id, err)
	}
	return ack, nil
}
