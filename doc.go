// Package gantry is a toolkit for building microservices on go-kit: the
// wiring every service needs, done once.
//
// The repository maps the architecture in layers, from the base vocabulary
// up. Imports point down a layer, never up, and peers of one layer do not
// know each other (the middleware package composes the others into the
// default chains; discovery's backends know only discovery). The test in
// layers_test.go holds this map against go list:
//
//	0 base vocabulary
//	  endpoint/        typed endpoints: Func[Req, Resp] ⇄ go-kit endpoint.Endpoint
//	  errs/            the one table of error kinds → HTTP, gRPC, problem+json
//	  retrybudget/     the retry budget every retry loop shares
//	  telemetry/       request IDs, the log keys, the trace-aware slog handler,
//	                   one answer to a metric-name clash on a registry
//	  liveconfig/      live configuration overlays and the table of live keys
//	1 transports and middleware
//	  transport/...    typed HTTP, gRPC and NATS servers and clients, OpenAPI 3.1
//	  middleware/...   one package per concern: breaker, ratelimit, shed, retry,
//	                   timeout, metrics, tracing, logging, auth, recovery;
//	                   the root package composes the default chains
//	2 discovery and events
//	  discovery/...    registries (static, DNS, NATS KV, etcd) and load balancers
//	  events/          typed publish/subscribe over NATS JetStream
//	3 clients
//	  client/...       typed clients over discovery: balancing, breakers, retries
//	4 runtime
//	  kit/             the service runtime: kit.New(name) → *App, config,
//	                   admin server (/metrics, /healthz, /readyz),
//	                   logging, tracing, graceful shutdown
//	  kit/grpckit/     what a service imports when it serves or calls gRPC
//	  kit/natskit/     what a service imports when it uses NATS and events
//	  kit/pprofkit/    what a service imports to serve /debug/pprof/
//	5 gateway
//	  gateway/...      the API gateway, as a library and a command
//	6 programs
//	  examples/...     the tutorial, step by step, ending in a shop
//	  templates/       go run ./templates new NAME scaffolds a service
//	  reliability/     the reliability suite (build tag reliability)
//
// Test support (internal/..., kit/kittest, discovery/discoverytest,
// liveconfig/liveconfigtest, telemetry/promreg/promregtest) is imported by
// tests only. Start with
// examples/hello and the kit package.
package gantry
