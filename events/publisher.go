package events

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
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
// same id is therefore always safe.
//
// Publish retries by itself, with the same id, when the failure may pass:
// no ack within the attempt timeout (the server holding the connection or
// the stream's leader went away: the event may or may not be stored), no
// responders or a 5xx from JetStream (a leader election), a full reconnect
// buffer. It waits 50ms before the second try, doubling up to 1s, until
// the ack comes or ctx ends; without a deadline on ctx it gives up after
// DefaultPublishTimeout. Keep ctx shorter than the stream's duplicate
// window (2 minutes with EnsureStream), or a late retry may be stored
// twice. Other errors return at once: a subject no stream captures, a
// message the stream rejects, a closed connection.
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
	if span.IsRecording() {
		span.SetAttributes(spanAttrs("send", "publish", p.subject, id, len(data))...)
	}
	msg := &nats.Msg{Subject: p.subject, Data: data, Header: make(nats.Header, 7)}
	msg.Header.Set(jetstream.MsgIDHeader, id)
	msg.Header.Set(HeaderType, p.o.typ)
	msg.Header.Set(HeaderVersion, strconv.Itoa(p.o.version))
	msg.Header.Set(HeaderContentType, p.o.codec.ContentType())
	inject(ctx, p.o.prop, msg.Header)
	start := time.Now()
	ack, err := p.send(ctx, msg, span)
	if p.o.metrics != nil {
		p.o.metrics.publish.WithLabelValues("publish", p.subject).Observe(time.Since(start).Seconds())
	}
	if err != nil {
		span.SetStatus(codes.Error, "publish")
		return nil, fmt.Errorf("events: publish %s %s: %w", p.subject, id, err)
	}
	return ack, nil
}

// DefaultPublishTimeout bounds a Publish whose context has no deadline,
// retries included.
const DefaultPublishTimeout = 30 * time.Second

// send publishes msg, again after a transient failure, until the ack or
// the end of ctx; each attempt waits at most the attempt timeout.
func (p *Publisher[T]) send(ctx context.Context, msg *nats.Msg, span trace.Span) (*jetstream.PubAck, error) {
	ctx, cancel := withDefaultDeadline(ctx, DefaultPublishTimeout)
	defer cancel()
	var b backoff
	for attempt := 1; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, p.o.attemptTimeout)
		// This loop retries, after asking whether a stream captures the
		// subject; nats.go's own retries of no responders (two, 250 ms
		// apart) would only delay that question (noPublishRetries).
		ack, err := p.js.PublishMsg(actx, msg, noPublishRetries...)
		if err != nil && transient(err) && noResponders(err) {
			// A stream in a leader election has no responders for a moment;
			// a subject no stream captures has none for good.
			if _, serr := p.js.StreamNameBySubject(actx, msg.Subject); errors.Is(serr, jetstream.ErrStreamNotFound) {
				cancel()
				return nil, err
			}
		}
		cancel()
		if err == nil || !transient(err) {
			return ack, err
		}
		span.AddEvent("retry", trace.WithAttributes(attribute.Int("attempt", attempt), attribute.String("error", err.Error())))
		if !b.wait(ctx) {
			return nil, fmt.Errorf("%w (after %d attempts; the event may be stored)", err, attempt)
		}
	}
}

// noPublishRetries turns off nats.go's own retries of no responders: send
// retries, after asking whether a stream captures the subject. (Made once,
// and passed as a slice, so that a publish allocates no options.)
var noPublishRetries = []jetstream.PublishOpt{jetstream.WithRetryAttempts(0)}

func noResponders(err error) bool {
	return errors.Is(err, jetstream.ErrNoStreamResponse) || errors.Is(err, nats.ErrNoResponders)
}

// errDuplicateInProcess is nats-server's JSStreamDuplicateMessageConflict
// (409, "duplicate message id is in process"): an earlier attempt with the
// same message ID, sent before a leader change, is still being stored.
// Sent again after a pause, the publish gets that message's ack (marked
// Duplicate) or stores it.
const errDuplicateInProcess jetstream.ErrorCode = 10158

// transient reports whether a failed publish may succeed when sent again.
func transient(err error) bool {
	var api *jetstream.APIError
	if errors.As(err, &api) {
		return api.Code >= 500 || api.ErrorCode == errDuplicateInProcess
	}
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, nats.ErrTimeout) ||
		noResponders(err) || errors.Is(err, nats.ErrReconnectBufExceeded)
}
