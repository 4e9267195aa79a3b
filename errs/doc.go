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
// The go-kit ecosystem's own errors carry no kind, so the table names them,
// and go-kit's middleware works unchanged in a Gantry chain with the
// statuses its errors mean (and breakers, metrics and alerts see the kind,
// not an Internal fault):
//
//	go-kit ratelimit.ErrLimited                      TooManyRequests  429  Retry-After: 1
//	sony/gobreaker (v1 and v2) ErrOpenState,
//	  ErrTooManyRequests; hystrix ErrCircuitOpen,
//	  ErrMaxConcurrency; handy breaker ErrCircuitOpen  Unavailable      503  Retry-After: 1
//	hystrix ErrTimeout                               DeadlineExceeded 504
//	go-kit sd/lb ErrNoEndpoints                      Unavailable      503
//	go-kit sd/lb RetryError                          its Final error's kind; Unavailable if that is Internal
//
// Those errors say nothing of when to try again: their hint is
// [SentinelRetryAfter]. A kind anywhere in the chain wins over them. KindOf
// finds them; errors.Is(err, kind) does not, since the sentinel itself
// carries no kind.
//
// Branch on kinds with the standard library, since every [Kind] is an error:
//
//	if errors.Is(err, errs.KindNotFound) { ... }
//
// and read detail with errors.As(err, &e) for e of type *[Error].
package errs
