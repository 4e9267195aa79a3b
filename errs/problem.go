package errs

import (
	"errors"
	"math"
	"strconv"
	"time"
)

// ProblemContentType is the media type of RFC 9457 problem documents.
const ProblemContentType = "application/problem+json"

// Problem is an RFC 9457 problem details document, with two extension
// members: "code" (the kind's stable name) and "errors" (field violations).
type Problem struct {
	Type     string           `json:"type,omitempty"`
	Title    string           `json:"title"`
	Status   int              `json:"status"`
	Detail   string           `json:"detail,omitempty"`
	Instance string           `json:"instance,omitempty"`
	Code     string           `json:"code"`
	Errors   []FieldViolation `json:"errors,omitempty"`
	// RetryAfter is not part of the document; HTTP transports send it as a
	// header (whole seconds, rounded up).
	RetryAfter time.Duration `json:"-"`
}

// ToProblem renders err for a client. The detail of an Internal error (and
// of any error without a kind) is the generic title: its text may hold
// secrets and stays in the logs.
func ToProblem(err error) Problem {
	k := KindOf(err)
	p := Problem{Type: "about:blank", Title: k.Title(), Status: k.HTTPStatus(), Code: k.String(), RetryAfter: retryAfterOf(err)}
	var e *Error
	if errors.As(err, &e) {
		if k != KindInternal {
			p.Detail = e.Message
			p.Errors = e.Fields
		}
	}
	return p
}

// Err turns a problem received from a server back into an *Error of the
// same kind, so that a client sees what the server's business code returned.
func (p Problem) Err() *Error {
	k, ok := ParseKind(p.Code)
	if !ok {
		k = KindFromHTTP(p.Status)
	}
	msg := p.Detail
	if msg == "" {
		msg = p.Title
	}
	return &Error{Kind: k, Message: msg, Fields: p.Errors, RetryAfter: p.RetryAfter}
}

// RetryAfterSeconds renders d as a Retry-After header value: whole seconds,
// rounded up, at least 1. It returns "" for d <= 0.
func RetryAfterSeconds(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	s := int64(math.Ceil(d.Seconds()))
	if s < 1 {
		s = 1
	}
	return strconv.FormatInt(s, 10)
}
