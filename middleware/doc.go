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
//	timeout   last, so the deadline covers only the service call
//
// For clients: tracing, metrics, logging, retry, breaker, timeout. Retries
// sit outside the breaker and the timeout, so every attempt is broken and
// timed on its own while metrics and logs see one logical call.
//
// # No breaker on the server
//
// A circuit breaker is a client's tool: it keeps a caller from piling calls
// on a dependency that fails, and gives the dependency room to recover (the
// SRE book's adaptive throttling, Finagle and kratos's circuitbreaker all
// sit on the calling side; go-zero also puts one in its REST server, per
// route, counting 5xx answers, and so has the flaw described next). On a
// server it would stand between every
// client and the service, so one client's failures would become every
// client's 503: any request that makes the service fail (a bug that one
// input reaches, a caller's own short deadline) would let one anonymous
// caller close an operation for everyone, again and again. The default
// server chain therefore has no breaker, and a service's own dependencies
// get theirs in the client chain (and the gateway keeps one per upstream
// instance).
//
// What protects a service from a client that can make it fail:
//
//   - An error the request causes is the caller's kind (4xx), never
//     Internal: transport/http decodes and validates from the request type's
//     one field model, and errs maps go-kit's sentinels; breakers and alerts
//     ignore caller faults, and a call whose caller gave up or ran out of
//     its own deadline counts neither way (package breaker).
//   - Load, not errors, trips the server's defences: shed bounds the calls
//     in flight, adapting to latency, so a failing request holds a slot only
//     while it runs, and timeout bounds how long that is. No count of
//     failures turns a server away from anyone.
//   - Volume per client is bounded where clients are known: the gateway's
//     rate limit keys by client IP or JWT subject. The server chain's
//     ratelimit layer is one bucket per operation, shared by every caller:
//     it caps the load an operation takes, it does not share it out; give
//     it a key (ratelimit.WithKey) in a chain of your own to limit per
//     caller.
//   - An Internal error is a bug to fix: it is logged with its cause,
//     counted as code="internal" and alerted on, and answered as a bare 500
//     that tells the client nothing, while every other call goes on.
//
// A service that does want a breaker around its own work (say, a call to a
// database it owns) wraps that call, or inserts breaker.New(...).For(op) in
// the slice For returns, knowing what it gives up.
//
// This package builds both chains from a [Config] (zero value: production
// defaults) and the App's [Deps]: [NewServer] once per App, then
// [Server.For] per operation returns the chain as a plain slice in the
// order above, which the caller may edit before applying it with
// endpoint.Wrap or endpoint.Chain. [NewClient] and [Client.For] do the same
// for client endpoints. Per-operation state (limits, breakers, metric
// children) lives inside the chain, keyed by operation name.
//
// A running chain's rate limit ([Server.Update]) and breaker thresholds
// ([Client.Update]) change for every operation at once; each
// returns the keys of the other changes, which only a new chain applies.
// The ratelimit layer is always in the server chain, a pass-through that
// costs a call one atomic load while rate_limit.per_second is 0, so that
// Update can turn limiting on.
//
// What the caller sees when a layer trips, each an *errs.Error:
//
//	shed       Unavailable (503) with RetryAfter, in microseconds
//	ratelimit  TooManyRequests (429) with RetryAfter
//	breaker    Unavailable (503) with RetryAfter (client chain)
//	timeout    DeadlineExceeded (504)
//	recovery   Internal (500), the panic and stack logged
//	auth       Unauthenticated (401) or PermissionDenied (403); not in the
//	           default chain, since only the service knows its keys
package middleware
