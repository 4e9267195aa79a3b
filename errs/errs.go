package errs

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Error is an error with a kind, a message that is safe to show to clients,
// optional field violations and an optional retry hint. Its cause, if any,
// is reachable with errors.Unwrap but never shown to clients.
//
// Construct it with the kind functions (NotFound, Invalid...) or as a
// literal; the zero value is an Internal error with no message.
type Error struct {
	Kind    Kind
	Message string // safe for clients; empty means the kind's title
	// Fields lists the request fields that were wrong, for InvalidArgument.
	Fields []FieldViolation
	// RetryAfter, when positive, tells the caller when trying again makes
	// sense; HTTP transports send it as the Retry-After header.
	RetryAfter time.Duration
	// Err is the cause; it is logged, never sent.
	Err error
}

// FieldViolation names one bad field of a request and what is wrong with it.
type FieldViolation struct {
	Field       string `json:"field"`
	Description string `json:"description"`
}

// Error returns the message, followed by the cause when there is one.
func (e *Error) Error() string {
	msg := e.Message
	if msg == "" {
		msg = e.Kind.Title()
	}
	if len(e.Fields) > 0 && e.Message == "" {
		msg = e.Fields[0].Field + ": " + e.Fields[0].Description
	}
	if e.Err != nil {
		return msg + ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is e's Kind, so errors.Is(err, KindNotFound)
// matches.
func (e *Error) Is(target error) bool {
	k, ok := target.(Kind)
	return ok && k == e.Kind
}

// ErrorKind implements Kinder.
func (e *Error) ErrorKind() Kind { return e.Kind }

// Kinder is the behaviour interface that business errors implement to choose
// their kind without depending on *Error.
type Kinder interface {
	ErrorKind() Kind
}

// KindOf returns the kind of err: the first Kinder in its chain, else the
// kind the table gives a go-kit sentinel in it (see the package doc), else
// KindCanceled or KindDeadlineExceeded for the context errors, else
// KindInternal. KindOf(nil) is KindInternal; callers check nil first.
func KindOf(err error) Kind {
	if err == nil {
		return KindInternal
	}
	// Fast path: most errors reaching a transport are *Error.
	if e, ok := err.(*Error); ok {
		return e.Kind
	}
	var k Kinder
	if errors.As(err, &k) {
		return k.ErrorKind()
	}
	var kind Kind
	if errors.As(err, &kind) {
		return kind
	}
	if k, _, ok := sentinelKind(err); ok {
		return k
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return KindDeadlineExceeded
	case errors.Is(err, context.Canceled):
		return KindCanceled
	}
	return KindInternal
}

// RetryAfterOf returns the RetryAfter hint of the first *Error in err's
// chain, else the table's hint for a go-kit sentinel in it
// (SentinelRetryAfter for their rate-limit and breaker errors), or 0.
func RetryAfterOf(err error) time.Duration { return retryAfterOf(err) }

func retryAfterOf(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) && e.RetryAfter > 0 {
		return e.RetryAfter
	}
	if _, d, ok := sentinelKind(err); ok {
		return d
	}
	return 0
}

func newf(k Kind, format string, args []any) *Error {
	if len(args) == 0 {
		return &Error{Kind: k, Message: format}
	}
	return &Error{Kind: k, Message: fmt.Sprintf(format, args...)}
}

// InvalidArgument reports a request the caller must fix before trying again.
func InvalidArgument(format string, args ...any) *Error {
	return newf(KindInvalidArgument, format, args)
}

// InvalidField reports one bad request field; the HTTP transport names it in
// the problem document's "errors" list.
func InvalidField(field, description string) *Error {
	return &Error{
		Kind:    KindInvalidArgument,
		Message: field + ": " + description,
		Fields:  []FieldViolation{{Field: field, Description: description}},
	}
}

// NotFound reports that the resource does not exist (or is not visible to
// the caller).
func NotFound(format string, args ...any) *Error { return newf(KindNotFound, format, args) }

// Conflict reports that the resource already exists or the write conflicts
// with the current state.
func Conflict(format string, args ...any) *Error { return newf(KindConflict, format, args) }

// FailedPrecondition reports that the system is not in the state the
// operation requires.
func FailedPrecondition(format string, args ...any) *Error {
	return newf(KindFailedPrecondition, format, args)
}

// Unauthenticated reports missing or invalid credentials.
func Unauthenticated(format string, args ...any) *Error {
	return newf(KindUnauthenticated, format, args)
}

// PermissionDenied reports valid credentials without the right to act.
func PermissionDenied(format string, args ...any) *Error {
	return newf(KindPermissionDenied, format, args)
}

// TooManyRequests reports a rate limit; retryAfter (if positive) tells the
// caller when to try again.
func TooManyRequests(retryAfter time.Duration, format string, args ...any) *Error {
	e := newf(KindTooManyRequests, format, args)
	e.RetryAfter = retryAfter
	return e
}

// Unavailable reports a server that cannot serve now (overload, open
// breaker, dependency down); retryAfter (if positive) is a hint.
func Unavailable(retryAfter time.Duration, format string, args ...any) *Error {
	e := newf(KindUnavailable, format, args)
	e.RetryAfter = retryAfter
	return e
}

// DeadlineExceeded reports that the operation ran out of time.
func DeadlineExceeded(format string, args ...any) *Error {
	return newf(KindDeadlineExceeded, format, args)
}

// Canceled reports that the caller gave up.
func Canceled(format string, args ...any) *Error { return newf(KindCanceled, format, args) }

// Internal wraps cause as an Internal error; its text is logged, never sent.
func Internal(cause error) *Error { return &Error{Kind: KindInternal, Err: cause} }

// Wrap gives cause a kind and a client-safe message, keeping it as the cause.
func Wrap(k Kind, cause error, format string, args ...any) *Error {
	e := newf(k, format, args)
	e.Err = cause
	return e
}
