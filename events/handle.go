package events

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/gantrykit/gantry/errs"

	"github.com/gantrykit/gantry/telemetry"
)

// handle runs the handler on one message and answers the server: ack on
// success, nak with back-off on a retryable failure, dead-letter and term
// otherwise. Only answers that fail are left to AckWait.
func (s *Subscriber[T]) handle(msg jetstream.Msg) {
	delivery, seq := 1, uint64(0)
	if d, sq, ok := deliveryOf(msg.Reply()); ok {
		delivery, seq = int(d), sq
	} else if md, err := msg.Metadata(); err == nil {
		delivery, seq = int(md.NumDelivered), md.Sequence.Stream
	}
	h := msg.Headers()
	ctx, span := s.o.tracer.Start(extract(s.o.prop, h), s.spanName(msg.Subject()), trace.WithSpanKind(trace.SpanKindConsumer))
	defer span.End()

	ev := Event[T]{
		ID: h.Get(jetstream.MsgIDHeader), Type: h.Get(HeaderType), Subject: msg.Subject(),
		Sequence: seq, Delivery: delivery,
	}
	if span.IsRecording() {
		span.SetAttributes(append(spanAttrs("process", "process", ev.Subject, ev.ID, len(msg.Data())),
			attribute.String("messaging.consumer.group.name", s.cfg.Durable))...)
	}
	ev.Version, _ = strconv.Atoi(h.Get(HeaderVersion))
	if err := s.o.codec.Unmarshal(msg.Data(), &ev.Data); err != nil {
		// A malformed payload will not improve with retries.
		span.SetStatus(codes.Error, "malformed")
		s.deadLetter(ctx, msg, delivery, seq, "malformed payload: "+err.Error())
		return
	}
	start := time.Now()
	err := s.run(ctx, ev)
	took := time.Since(start)
	if s.bound != nil {
		s.bound.process.Observe(took.Seconds())
	}
	switch {
	case err == nil:
		_ = msg.Ack()
		s.count(outcomeAcked)
		s.logHandled(ctx, slog.LevelDebug, "event", ev, took, nil)
	case IsPermanent(err) || errs.KindOf(err) == errs.KindInvalidArgument:
		span.SetStatus(codes.Error, "permanent")
		s.deadLetter(ctx, msg, delivery, seq, "permanent error: "+err.Error())
	case delivery >= s.cfg.MaxDeliver:
		span.SetStatus(codes.Error, "max deliveries")
		s.deadLetter(ctx, msg, delivery, seq, fmt.Sprintf("failed %d deliveries, last error: %v", delivery, err))
	default:
		span.SetStatus(codes.Error, "retry")
		_ = msg.NakWithDelay(s.cfg.backoff(delivery))
		s.count(outcomeRetried)
		s.logHandled(ctx, slog.LevelWarn, "event failed; it will be delivered again", ev, took, err)
	}
}

// logHandled logs one handled event with the event's context (so the line
// carries its trace_id and request_id): its subject, ID, delivery, code
// ("ok" or the error's kind), the handler's time and the error.
func (s *Subscriber[T]) logHandled(ctx context.Context, level slog.Level, msg string, ev Event[T], took time.Duration, err error) {
	if !s.o.logger.Enabled(ctx, level) {
		return
	}
	code := "ok"
	if err != nil {
		code = errs.KindOf(err).String()
	}
	attrs := []slog.Attr{slog.String(telemetry.KeySubject, ev.Subject), slog.String(telemetry.KeyEventID, ev.ID),
		slog.Int(telemetry.KeyDeliveries, ev.Delivery), slog.String(telemetry.KeyCode, code), slog.Duration(telemetry.KeyDuration, took)}
	if err != nil {
		attrs = append(attrs, slog.String(telemetry.KeyError, err.Error()))
	}
	s.o.logger.LogAttrs(ctx, level, msg, attrs...)
}

// spanName is "process SUBJECT", built once per run of events on one
// subject rather than once per event.
func (s *Subscriber[T]) spanName(subject string) string {
	if last := s.lastSpan.Load(); last != nil && last.subject == subject {
		return last.name
	}
	n := &spanName{subject: subject, name: "process " + subject}
	s.lastSpan.Store(n)
	return n.name
}

type spanName struct{ subject, name string }

func (s *Subscriber[T]) count(o outcome) {
	if s.bound != nil {
		s.bound.handled[o].Inc()
	}
}

// run calls the handler, turning a panic into an error.
func (s *Subscriber[T]) run(ctx context.Context, ev Event[T]) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("events: handler panic: %v", r)
		}
	}()
	return s.h(ctx, ev)
}

// deadLetter publishes the message with its headers and the reason to the
// dead-letter subject, then terminates it. If the dead-letter publish
// fails, the message is naked instead, so that nothing is lost.
func (s *Subscriber[T]) deadLetter(ctx context.Context, msg jetstream.Msg, delivery int, seq uint64, reason string) {
	dl := &nats.Msg{Subject: s.cfg.DeadLetter, Data: msg.Data(), Header: nats.Header{}}
	for k, v := range msg.Headers() {
		dl.Header[k] = append([]string(nil), v...)
	}
	dl.Header.Set(HeaderDeadReason, reason)
	dl.Header.Set(HeaderDeadStream, s.cfg.Stream)
	dl.Header.Set(HeaderDeadConsumer, s.cfg.Durable)
	dl.Header.Set(HeaderDeadSubject, msg.Subject())
	dl.Header.Set(HeaderDeadSequence, strconv.FormatUint(seq, 10))
	dl.Header.Set(HeaderDeadDeliveries, strconv.Itoa(delivery))
	if dl.Header.Get(jetstream.MsgIDHeader) == "" {
		// Deduplicate a repeated dead-lettering of the same stream message.
		dl.Header.Set(jetstream.MsgIDHeader, "seq-"+strconv.FormatUint(seq, 10))
	}
	pctx, cancel := context.WithTimeout(ctx, s.cfg.AckWait/2)
	defer cancel()
	attrs := []slog.Attr{
		slog.String(telemetry.KeySubject, msg.Subject()), slog.String(telemetry.KeyEventID, dl.Header.Get(jetstream.MsgIDHeader)),
		slog.String("stream", s.cfg.Stream), slog.String("consumer", s.cfg.Durable), slog.Int(telemetry.KeyDeliveries, delivery),
		slog.String(telemetry.KeyReason, reason),
	}
	if _, err := s.js.PublishMsg(pctx, dl); err != nil {
		_ = msg.NakWithDelay(s.cfg.backoff(delivery))
		s.count(outcomeRetried)
		s.o.logger.LogAttrs(ctx, slog.LevelWarn, "dead-letter publish failed; the event will be delivered again",
			append(attrs, slog.String(telemetry.KeyError, err.Error()))...)
		return
	}
	_ = msg.TermWithReason(reason)
	s.count(outcomeDeadLettered)
	s.o.logger.LogAttrs(ctx, slog.LevelWarn, "event dead-lettered", append(attrs, slog.String("dead_letter_subject", dl.Subject))...)
}

// Permanent marks err as not worth retrying: the Subscriber dead-letters
// the event at once. Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err}
}

// IsPermanent reports whether err was marked with Permanent.
func IsPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}

type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }
