// Package grpcclient dials the instances of a discovered service as one
// grpc-go connection, for any generated client:
//
//	conn, err := grpcclient.Dial("product", instancer, grpcclient.WithTelemetry(grpct.WithTracerProvider(tp)))
//	if err != nil { ... }
//	defer conn.Close()
//	catalog := productpb.NewCatalogClient(conn)
//
// In a kit service, kit/grpckit.Dial does the same from the App (its
// tracer provider, registry, logger and gantry.client configuration) and a
// registry: grpckit.Dial(app, nats, "product").
//
// It is built on grpc-go's own extension points, so grpc-go keeps doing
// what it does well: connection management and reconnect back-off,
// keepalive, client-side health checking, deadlines (the caller's context
// deadline reaches the server), unary calls and streams alike.
//
//   - Addresses come from a resolver registered on this connection alone
//     (grpc.WithResolvers, scheme "gantry"). It follows a go-kit
//     sd.Instancer from any Gantry backend (static, dns, natskv, etcd) and
//     dials each instance's "grpc" transport address (WithTransport). When
//     the registry fails it keeps the last set (fail static).
//   - Each instance has a pick-first child with grpc-go's health checking
//     of the "" service, which a draining Gantry server turns NOT_SERVING
//     before it stops: the instance leaves the rotation before its
//     listener closes.
//   - The picker is power of two choices over peak-EWMA latency × (calls
//     in flight + 1), discovery/lb's cost: a slow or failing instance soon
//     gets little traffic. A failed call counts as at least 1 s.
//   - Each instance has a circuit breaker (middleware/breaker's classic
//     thresholds: 5 failures in a row, or half of at least 20 calls in
//     10 s, open it for 10 s). Only server faults count: a caller's error
//     (NotFound, InvalidArgument...) or a caller that gave up does not. A
//     pick skips instances whose breaker is open; when every ready
//     instance's is, the call fails at once with Unavailable.
//   - Unary calls of idempotent methods are retried on a retryable failure
//     (Unavailable, DeadlineExceeded from the server, ResourceExhausted),
//     each attempt picked anew, at most 3 attempts, under a
//     retrybudget.Budget (at most 20% of calls plus 10/s). Methods are
//     idempotent when declared with WithIdempotent or in their .proto
//     (option idempotency_level = IDEMPOTENT or NO_SIDE_EFFECTS). Other
//     calls are not retried here; grpc-go retries, transparently, a call
//     that never left the client.
//   - WithTelemetry adds transport/grpc's client tracing (a span per
//     attempt, trace context in the metadata) and metrics.
//   - WithMiddleware runs go-kit endpoint middleware once per unary call,
//     outside the retries: the breaker, timeout, span and metrics of the
//     logical call (kit/grpckit passes the App's client chain, whose span
//     is then INTERNAL: each attempt's is the call's one client span, as
//     OpenTelemetry's conventions for resent requests have it).
//   - The caller's deadline goes to every attempt, and on to the instance
//     in the grpc-timeout header, as grpc-go sends it.
//
// The balancer is the one process-wide thing: grpc-go finds balancers only
// by name in its global registry, so the package registers a stateless
// builder as [BalancerName] when it is initialised; see BalancerName.
//
// What the caller sees: a gRPC status error, as from any connection
// (transport/grpc.FromStatus turns it into an *errs.Error of the server's
// kind); Unavailable while no instance is known or reachable, or every
// breaker is open.
package grpcclient
