// Package static provides discovery without a registry server.
//
// [Fixed], [FromEnv] and [FromFile] publish a fixed list of addresses, for
// dependencies whose address does not change, or for configuration by
// environment (ORDERS_ADDRS=10.0.0.1:8080,10.0.0.2:8080). [Registry] is an
// in-memory registry with TTLs, for tests and for applications that run all
// their services in one process; it passes the same conformance suite as
// the networked backends.
//
// A fixed list never changes: a dead address stays in it, so pair it with
// the balancer's passive ejection (discovery/lb) and a circuit breaker.
package static
