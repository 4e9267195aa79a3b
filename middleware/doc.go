// Package middleware holds Gantry's endpoint middleware, one package per
// concern. Every one is an ordinary go-kit endpoint.Middleware, so Gantry's
// and go-kit's mix freely.
//
// The recommended server order, outermost first, and why:
//
//	recovery  first, so a panic anywhere below becomes an Internal error
//	tracing   so every later step runs inside the span
//	metrics   so rejections below are counted with their outcome
//	logging   so rejections are logged with trace ids
//	shed      cheapest overload defence, before any work is done
//	ratelimit
//	breaker
//	timeout   last, so the deadline covers only the service call
//
// For clients: tracing, metrics, logging, retry, breaker, timeout. Retries
// sit outside the breaker and the timeout, so every attempt is broken and
// timed on its own while metrics and logs see one logical call.
//
// This package builds both chains from a [Config] (zero value: production
// defaults) and the App's [Deps]: [NewServer] once per App, then
// [Server.For] per operation returns the chain as a plain slice in the
// order above, which the caller may edit before applying it with
// endpoint.Wrap or endpoint.Chain. [NewClient] and [Client.For] do the same
// for client endpoints. Per-operation state (limits, breakers, metric
// children) lives inside the chain, keyed by operation name.
//
// A running chain's rate limit and breaker thresholds change with
// [Server.Update] and [Client.Update], for every operation at once; each
// returns the keys of the other changes, which only a new chain applies.
// The ratelimit layer is always in the server chain, a pass-through that
// costs a call one atomic load while rate_limit.per_second is 0, so that
// Update can turn limiting on.
//
// What the caller sees when a layer trips, each an *errs.Error:
//
//	shed       Unavailable (503) with RetryAfter, in microseconds
//	ratelimit  TooManyRequests (429) with RetryAfter
//	breaker    Unavailable (503) with RetryAfter
//	timeout    DeadlineExceeded (504)
//	recovery   Internal (500), the panic and stack logged
//	auth       Unauthenticated (401) or PermissionDenied (403); not in the
//	           default chain, since only the service knows its keys
package middleware
