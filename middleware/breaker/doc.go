// Package breaker stops calling an operation that keeps failing, so that a
// struggling dependency gets room to recover and callers fail fast. It is a
// client-side tool: put it around calls to a dependency (the default client
// chain does), not in front of a service's own operations, where one
// client's failures would close the operation for all (see package
// middleware).
//
// Two kinds, one per [Breaker]:
//
//   - The classic circuit breaker (the default), on sony/gobreaker/v2. It
//     opens when, within a rolling window (default 10s), at least 20 calls
//     were made and half of them failed, or when 5 calls in a row failed.
//     Open, it rejects every call for the open timeout (default 10s), then
//     lets 5 probe calls through (half-open); if they all succeed it
//     closes, a failure opens it again. Its state is exported as the gauge
//     breaker_state{service,method,state} (1 for the current state) and
//     the counter breaker_transitions_total{service,method,from,to}, and
//     every change is logged.
//   - Adaptive throttling from the Google SRE book ([WithAdaptive]): over
//     the window it counts requests and accepts (calls that did not fail),
//     and rejects a new call with probability
//     max(0, (requests − K·accepts) / (requests + 1)). It degrades smoothly
//     instead of flipping: with K = 2 it starts rejecting only when more than
//     half the calls fail, and lets a share through to notice recovery.
//
// What counts as a failure is configurable ([WithIsFailure]); by default
// an error counts unless its kind blames the caller (errs.Kind.CallerFault:
// invalid argument, not found, conflict, unauthenticated, permission
// denied, too many requests...), so bad requests never trip a breaker
// while unavailable, deadline exceeded and internal errors do. A call that
// fails after its caller's own context ended (canceled, or the caller's
// deadline passed) counts neither way: it says nothing about the
// dependency, and counting it would let a caller with tiny deadlines open
// the breaker. A deadline set below the breaker (the timeout layer's) is
// the breaker's business and counts.
//
// Thresholds change while the service runs: [Breaker.SetTrip] swaps the
// trip rule of every classic breaker at once (it is read only when a call
// fails, so calls pay nothing for it), and [Breaker.SetOpenTimeout]
// replaces every classic breaker by a closed one with the new timeout,
// since gobreaker fixes the timeout when it makes a breaker.
//
// When it trips, the endpoint is not run and the caller sees, within
// nanoseconds, a *errs.Error of kind Unavailable whose RetryAfter is the
// time left until the breaker probes again (classic) or 1s (adaptive).
package breaker
