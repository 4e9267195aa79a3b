package errs

import "net/http"

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
	code   uint32 // gRPC status code
}

// The gRPC status codes the table uses, by their numbers in the gRPC
// specification (doc/statuscodes.md), which google.golang.org/grpc/codes
// gives the same values: errs stays free of grpc-go, so a service that
// serves only HTTP does not link it.
const (
	grpcCanceled           uint32 = 1
	grpcInvalidArgument    uint32 = 3
	grpcDeadlineExceeded   uint32 = 4
	grpcNotFound           uint32 = 5
	grpcAlreadyExists      uint32 = 6
	grpcPermissionDenied   uint32 = 7
	grpcResourceExhausted  uint32 = 8
	grpcFailedPrecondition uint32 = 9
	grpcAborted            uint32 = 10
	grpcOutOfRange         uint32 = 11
	grpcInternal           uint32 = 13
	grpcUnavailable        uint32 = 14
	grpcUnauthenticated    uint32 = 16
)

// table is the one place where kinds map to HTTP, gRPC and problem+json.
var table = [numKinds]row{
	KindInternal:           {"internal", "Internal error", http.StatusInternalServerError, grpcInternal},
	KindInvalidArgument:    {"invalid_argument", "Invalid argument", http.StatusBadRequest, grpcInvalidArgument},
	KindNotFound:           {"not_found", "Not found", http.StatusNotFound, grpcNotFound},
	KindConflict:           {"conflict", "Conflict", http.StatusConflict, grpcAlreadyExists},
	KindFailedPrecondition: {"failed_precondition", "Failed precondition", http.StatusPreconditionFailed, grpcFailedPrecondition},
	KindUnauthenticated:    {"unauthenticated", "Unauthenticated", http.StatusUnauthorized, grpcUnauthenticated},
	KindPermissionDenied:   {"permission_denied", "Permission denied", http.StatusForbidden, grpcPermissionDenied},
	KindTooManyRequests:    {"too_many_requests", "Too many requests", http.StatusTooManyRequests, grpcResourceExhausted},
	KindUnavailable:        {"unavailable", "Unavailable", http.StatusServiceUnavailable, grpcUnavailable},
	KindDeadlineExceeded:   {"deadline_exceeded", "Deadline exceeded", http.StatusGatewayTimeout, grpcDeadlineExceeded},
	KindCanceled:           {"canceled", "Canceled", StatusClientClosedRequest, grpcCanceled},
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

// GRPCCode returns the gRPC status code for the kind, as its number:
// codes.Code(k.GRPCCode()) with google.golang.org/grpc/codes.
func (k Kind) GRPCCode() uint32 { return k.row().code }

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

// KindFromGRPC maps a gRPC status code (uint32(status.Code()) with
// google.golang.org/grpc/status) back to a kind.
func KindFromGRPC(c uint32) Kind {
	switch c {
	case grpcInvalidArgument, grpcOutOfRange:
		return KindInvalidArgument
	case grpcNotFound:
		return KindNotFound
	case grpcAlreadyExists, grpcAborted:
		return KindConflict
	case grpcFailedPrecondition:
		return KindFailedPrecondition
	case grpcUnauthenticated:
		return KindUnauthenticated
	case grpcPermissionDenied:
		return KindPermissionDenied
	case grpcResourceExhausted:
		return KindTooManyRequests
	case grpcUnavailable:
		return KindUnavailable
	case grpcDeadlineExceeded:
		return KindDeadlineExceeded
	case grpcCanceled:
		return KindCanceled
	}
	return KindInternal
}
