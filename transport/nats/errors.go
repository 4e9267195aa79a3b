package nats

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/gantrykit/gantry/errs"
)

// ErrorMsg renders err as a reply message: the kind in the Gantry-Error
// header, the retry hint in Gantry-Retry-After and the problem+json document
// (client-safe message, field violations) as the body. An Internal error's
// text is not sent.
func ErrorMsg(subject string, err error) *nats.Msg {
	p := errs.ToProblem(err)
	msg := nats.NewMsg(subject)
	msg.Header.Set(HeaderError, p.Code)
	if p.RetryAfter > 0 {
		msg.Header.Set(HeaderRetryAfter, p.RetryAfter.String())
	}
	msg.Data, _ = json.Marshal(p) // a Problem always marshals
	return msg
}

// ReplyError returns the error a reply carries, as an *errs.Error of the
// kind the server returned, or nil when the reply is not an error.
func ReplyError(msg *nats.Msg) error {
	code := msg.Header.Get(HeaderError)
	if code == "" {
		return nil
	}
	var p errs.Problem
	if err := json.Unmarshal(msg.Data, &p); err != nil {
		p = errs.Problem{Code: code}
	}
	p.Code = code
	if d, err := time.ParseDuration(msg.Header.Get(HeaderRetryAfter)); err == nil {
		p.RetryAfter = d
	}
	e := p.Err()
	if p.Title == "" && p.Detail == "" {
		e.Message = e.Kind.Title()
	}
	return e
}

// requestError maps a failed nats.go request to a kind: no subscriber is
// Unavailable, running out of time is DeadlineExceeded.
func requestError(subject string, err error) error {
	switch {
	case errors.Is(err, nats.ErrNoResponders):
		return errs.Wrap(errs.KindUnavailable, err, "no responders on %s", subject)
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, nats.ErrTimeout):
		return errs.Wrap(errs.KindDeadlineExceeded, err, "no reply on %s in time", subject)
	case errors.Is(err, context.Canceled):
		return errs.Wrap(errs.KindCanceled, err, "request on %s canceled", subject)
	case errors.Is(err, nats.ErrConnectionClosed), errors.Is(err, nats.ErrConnectionDraining):
		return errs.Wrap(errs.KindUnavailable, err, "connection closed")
	}
	return err
}
