// Package recovery turns a panic in an endpoint into an error.
//
// Put it outermost (see package middleware for the order) so that a panic
// anywhere below it is caught. When it trips, the caller sees a
// *errs.Error of kind Internal with the generic message "internal error";
// the panic value and the goroutine's stack are logged at error level with
// the operation name, never sent to the client. The error's cause (Err)
// carries the panic value for code that logs errors itself.
//
// A panic with http.ErrAbortHandler is re-raised: net/http uses it to abort a
// response on purpose.
package recovery
