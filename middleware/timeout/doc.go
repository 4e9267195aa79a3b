// Package timeout gives each operation a deadline, composed with the one
// the caller's context already carries: the earlier wins.
//
// The endpoint below runs with the deadline in its context and is expected
// to honour it (database drivers, HTTP and gRPC clients do); the middleware
// does not abandon a running call. When the call fails after the deadline
// passed, the caller sees a *errs.Error of kind DeadlineExceeded (HTTP 504)
// wrapping the endpoint's error. A call that succeeds, even late, returns
// its result.
//
// When no timeout applies to an operation, or the incoming deadline is
// already earlier, no context is created, so the middleware costs next to
// nothing.
package timeout
