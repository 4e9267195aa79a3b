// Package client builds resilient typed clients over discovery: one call
// turns an instancer, an HTTP method and a path pattern into an
// endpoint.Func[Req, Resp] that balances, breaks and retries.
//
//	products, err := client.HTTP[GetProduct, Product](instancer, "GET", "/v1/products/{id}")
//	if err != nil { ... }
//	defer products.Close()
//	p, err := products.Call(ctx, GetProduct{ID: 42})
//
// When the server's package defines the operation once as a
// transport/http Op (method, path, types, name), the client takes that
// value instead, so the two cannot drift apart:
//
//	products, err := client.Op(instancer, productapi.GetProduct)
//
// Each call goes through these parts, outermost first:
//
//   - retry (discovery/lb.Retry): a failed attempt is tried again on a new
//     pick, an instance the call has not tried while there is one, under a
//     retry budget (middleware/retrybudget.Budget, by default
//     NewBudget(0.2, 10) per client: at most 20% of requests plus 10/s).
//     Idempotent calls (by default GET, HEAD, OPTIONS, PUT and DELETE, see
//     [WithIdempotent]) are retried on any retryable failure; others only
//     when the request surely never left: connection refused, a dial
//     error, or an open breaker that rejected it.
//   - the balancer (discovery/lb, power of two choices over peak-EWMA
//     latency by default, see [WithBalancer]) picks an instance.
//   - a circuit breaker of that instance (middleware/breaker, keyed by the
//     instance's address; on by default, see [WithBreaker]), so that one
//     failing instance is cut off while the others serve.
//   - the transport/http typed client's endpoint for that instance.
//
// Use it for calls from one service to another found in a registry. For a
// single fixed address, transport/http's NewClient alone (with
// middleware.Client's chain) is enough.
//
// What the caller sees: the answer, or the last attempt's error unchanged
// (an *errs.Error of the server's kind, with its RetryAfter hint; an open
// breaker's Unavailable), or go-kit's lb.ErrNoEndpoints while the instancer
// has no instance.
package client
