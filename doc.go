// Package gantry is a toolkit for building microservices on go-kit: the
// wiring every service needs, done once.
//
// The repository maps the architecture, from the base vocabulary up;
// imports point down:
//
//	endpoint/       typed endpoints: Func[Req, Resp] ⇄ go-kit endpoint.Endpoint
//	errs/           the one table of error kinds → HTTP, gRPC, problem+json
//	retrybudget/    the retry budget every retry loop shares
//	transport/      typed HTTP, gRPC and NATS servers and clients, OpenAPI 3.1
//	middleware/     one package per concern: breaker, ratelimit, shed,
//	                retry, timeout, metrics, tracing, logging, auth, recovery
//	discovery/      registries (static, DNS, NATS KV, etcd) and load balancers
//	events/         typed publish/subscribe over NATS JetStream
//	liveconfig/     live configuration overlays from NATS KV or etcd
//	client/         typed clients over discovery: balancing, breakers, retries
//	kit/            the service runtime: kit.New(name) → *App, config,
//	                admin server (/metrics, /healthz, /readyz, pprof),
//	                logging, tracing, graceful shutdown
//	gateway/        the API gateway, as a library and a command
//	examples/       the tutorial, step by step, ending in a shop
//	templates/      go run ./templates new NAME scaffolds a service
//
// Start with examples/hello and the kit package.
package gantry
