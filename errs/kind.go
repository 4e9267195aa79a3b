package errs

import (
	"net/http"

	"google.golang.org/grpc/codes"
)

// Kind classifies an error by what the caller should do about it. The zero
// value is KindInternal. Kind implements error so that errors.Is(err, kind)
// works on any error chain that carries it.
type Kind uint8

// The kinds, in the order of the table in the package doc.
const (
	KindInternal Kind = iota
	KindInvalidArgument
	KindNotFound
	KindConflict
	KindFailedPrecondition
	KindUnauthenticated
	KindPermissionDenied
	KindTooManyRequests
	KindUnavailable
	KindDeadlineExceeded
	KindCanceled
	numKinds
)

// row is one line of the table: everything a transport needs to know.
type row struct {
	name   string // stable machine name, used as problem "code" and in metrics
	title  string // problem+json title
	status int    // HTTP status
	code   codes.Code
}

// table is the one place where kinds map to HTTP, gRPC and problem+json.
var table = [numKinds]row{
	KindInternal:           {"internal", "Internal error", http.StatusInternalServerError, codes.Internal},
	KindInvalidArgument:    {"invalid_argument", "Invalid argument", http.StatusBadRequest, codes.InvalidArgument},
	KindNotFound:           {"not_found", "Not found", http.StatusNotFound, codes.NotFound},
	KindConflict:           {"conflict", "Conflict", http.StatusConflict, codes.AlreadyExists},
	KindFailedPrecondition: {"failed_precondition", "Failed precondition", http.StatusPreconditionFailed, codes.FailedPrecondition},
	KindUnauthenticated:    {"unauthenticated", "Unauthenticated", http.StatusUnauthorized, codes.Unauthenticated},
	KindPermissionDenied:   {"permission_denied", "Permission denied", http.StatusForbidden, codes.PermissionDenied},
	KindTooManyRequests:    {"too_many_requests", "Too many requests", http.StatusTooManyRequests, codes.ResourceExhausted},
	KindUnavailable:        {"unavailable", "Unavailable", http.StatusServiceUnavailable, codes.Unavailable},
	KindDeadlineExceeded:   {"deadline_exceeded", "Deadline exceeded", http.StatusGatewayTimeout, codes.DeadlineExceeded},
	KindCanceled:           {"canceled", "Canceled", StatusClientClosedRequest, codes.Canceled},
}

// StatusClientClosedRequest is the non-standard HTTP status (from nginx) for
// a request whose client went away before the answer; the table uses it for
// KindCanceled.
const StatusClientClosedRequest = 499

func (k Kind) row() row {
	if k >= numKinds {
		return table[KindInternal]
	}
	return table[k]
}

// String returns the kind's stable machine name, such as "not_found".
func (k Kind) String() string { return k.row().name }

// Error makes a Kind usable as an errors.Is target.
func (k Kind) Error() string { return k.row().name }

// Title returns the short human title used in problem+json documents.
func (k Kind) Title() string { return k.row().title }

// HTTPStatus returns the HTTP status code for the kind.
func (k Kind) HTTPStatus() int { return k.row().status }

// GRPCCode returns the gRPC status code for the kind.
func (k Kind) GRPCCode() codes.Code { return k.row().code }

// Retryable reports whether a call that failed with this kind may succeed if
// tried again unchanged (Unavailable, DeadlineExceeded, TooManyRequests).
// Whether it is safe to retry also depends on the operation's idempotency,
// which the retry middleware decides.
func (k Kind) Retryable() bool {
	switch k {
	case KindUnavailable, KindDeadlineExceeded, KindTooManyRequests:
		return true
	}
	return false
}

// CallerFault reports whether the kind blames the caller (a bad request, a
// missing resource, missing credentials...) rather than the server. Circuit
// breakers do not count caller faults as failures.
func (k Kind) CallerFault() bool {
	switch k {
	case KindInvalidArgument, KindNotFound, KindConflict, KindFailedPrecondition,
		KindUnauthenticated, KindPermissionDenied, KindTooManyRequests, KindCanceled:
		return true
	}
	return false
}

// ParseKind returns the kind whose String is name, and false if there is none.
func ParseKind(name string) (Kind, bool) {
	for k := range numKinds {
		if table[k].name == name {
			return k, true
		}
	}
	return KindInternal, false
}

// KindFromHTTP maps an HTTP status back to a kind, for clients reading an
// answer that carries no problem document. 2xx and 3xx have no kind and
// return KindInternal; use it only for error statuses.
func KindFromHTTP(status int) Kind {
	switch status {
	case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType,
		http.StatusUnprocessableEntity, http.StatusMethodNotAllowed:
		return KindInvalidArgument
	case http.StatusUnauthorized:
		return KindUnauthenticated
	case http.StatusForbidden:
		return KindPermissionDenied
	case http.StatusNotFound, http.StatusGone:
		return KindNotFound
	case http.StatusConflict:
		return KindConflict
	case http.StatusPreconditionFailed:
		return KindFailedPrecondition
	case http.StatusTooManyRequests:
		return KindTooManyRequests
	case StatusClientClosedRequest:
		return KindCanceled
	case http.StatusServiceUnavailable, http.StatusBadGateway:
		return KindUnavailable
	case http.StatusGatewayTimeout, http.StatusRequestTimeout:
		return KindDeadlineExceeded
	}
	return KindInternal
}

// KindFromGRPC maps a gRPC status code back to a kind.
func KindFromGRPC(c codes.Code) Kind {
	switch c {
	case codes.InvalidArgument, codes.OutOfRange:
		return KindInvalidArgument
	case codes.NotFound:
		return KindNotFound
	case codes.AlreadyExists, codes.Aborted:
		return KindConflict
	case codes.FailedPrecondition:
		return KindFailedPrecondition
	case codes.Unauthenticated:
		return KindUnauthenticated
	case codes.PermissionDenied:
		return KindPermissionDenied
	case codes.ResourceExhausted:
		return KindTooManyRequests
	case codes.Unavailable:
		return KindUnavailable
	case codes.DeadlineExceeded:
		return KindDeadlineExceeded
	case codes.Canceled:
		return KindCanceled
	}
	return KindInternal
}
