// Package lb balances calls over the instances an Instancer publishes:
// round robin, random, and power of two choices with peak-EWMA latency (the
// Finagle and Linkerd algorithm), which is the one to use by default.
//
// A [Balancer] follows an sd.Instancer, builds one endpoint per instance
// with a go-kit sd.Factory, and implements go-kit's lb.Balancer, so go-kit's
// lb.Retry and every endpoint middleware work on top. Each endpoint it hands
// out measures its own calls: latency, calls in flight, failures.
//
//   - [P2C] picks two instances at random and sends the call to the one
//     with the lower cost = peak-EWMA latency × (calls in flight + 1). A
//     slow instance, or one answering fast errors (a failure counts as a
//     latency of Options.FailurePenalty), soon receives little traffic; the
//     cost decays over Options.Decay, so it is probed again later. An
//     instance with calls in flight and no latency known yet costs half the
//     failure penalty: less than one that has just failed, more than one
//     answering in time.
//   - [RoundRobin] and [Random] ignore latency.
//
// All three skip an ejected instance: after Options.EjectAfter consecutive
// connection failures (connection refused, dial errors) an instance gets no
// calls for a back-off that doubles on each ejection (Options.EjectBackoff
// up to 32×) and resets on success. If every instance is ejected, the
// balancer picks among all of them rather than fail.
//
// A resilient client is a chain of these parts: instancer → endpoint per
// instance (the transport's sd.Factory, wrapped by Options.PerInstance,
// typically a circuit breaker) → Balancer → [Retry], which picks again for
// each attempt, among the instances the call has not tried yet, under a
// [retrybudget.Budget] (≤ 20% of requests + 10/s, as Finagle).
// Retry repeats idempotent operations on any retryable failure, and others
// only when the call surely never reached an instance (connection refused).
//
//	bal := lb.New(instancer, client.Factory, lb.P2C(), lb.Options{PerInstance: breakerPerInstance})
//	get := endpoint.Typed[GetItem, Item](lb.Retry(bal, lb.RetryOptions{Idempotent: true, Budget: budget}))
//
// client builds that chain for a transport/http operation in one
// call: client.HTTP[GetItem, Item](instancer, "GET", "/v1/items/{id}").
//
// Use Retry rather than middleware/retry around a balancer: it retries at
// once on another pick, and it does not wait out the Retry-After of a
// per-instance breaker, which speaks for that one instance only.
// middleware/retry belongs around a single-address endpoint.
//
// What the caller sees: Endpoint returns go-kit's lb.ErrNoEndpoints while
// the instancer has no instance; otherwise errors come from the chosen
// instance. Picking costs tens of nanoseconds and allocates nothing.
package lb
