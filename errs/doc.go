// Package errs is Gantry's one table of error kinds.
//
// Business code returns errors made here (errs.NotFound("order %d", id)),
// or its own error types that implement [Kinder]; it never imports a
// transport. Every transport maps an error through the same table:
//
//	kind                HTTP  gRPC                 problem+json title
//	InvalidArgument     400   InvalidArgument      Invalid argument
//	Unauthenticated     401   Unauthenticated      Unauthenticated
//	PermissionDenied    403   PermissionDenied     Permission denied
//	NotFound            404   NotFound             Not found
//	Conflict            409   AlreadyExists        Conflict
//	FailedPrecondition  412   FailedPrecondition   Failed precondition
//	TooManyRequests     429   ResourceExhausted    Too many requests
//	Canceled            499   Canceled             Canceled
//	Internal            500   Internal             Internal error
//	Unavailable         503   Unavailable          Unavailable
//	DeadlineExceeded    504   DeadlineExceeded     Deadline exceeded
//
// A plain error (one that carries no kind) is Internal, and its text is
// never sent to a client: [ToProblem] replaces it with a generic detail.
// context.Canceled and context.DeadlineExceeded map to their own kinds.
//
// Branch on kinds with the standard library, since every [Kind] is an error:
//
//	if errors.Is(err, errs.KindNotFound) { ... }
//
// and read detail with errors.As(err, &e) for e of type *[Error].
package errs
