// Package gantry is a toolkit for building microservices on go-kit: the
// wiring every service needs, done once.
//
// The repository maps the architecture; imports point inward:
//
//	kit/            the service runtime: kit.New(name) → *App, config,
//	                admin server (/metrics, /healthz, /readyz, pprof),
//	                logging, tracing, graceful shutdown
//	kit/endpoint    typed endpoints: Func[Req, Resp] ⇄ go-kit endpoint.Endpoint
//	kit/errs        the one table of error kinds → HTTP, gRPC, problem+json
//	transport/http  typed JSON handlers and clients, OpenAPI 3.1
//	middleware/     one package per concern: breaker, ratelimit, shed,
//	                retry, timeout, metrics, tracing, logging, auth, recovery
//	discovery/      registries (static, DNS, NATS KV, etcd) and load balancers
//	gateway/        the API gateway, as a library and a command
//	examples/       the tutorial, step by step, ending in a shop
//	templates/      go run ./templates new NAME scaffolds a service
//
// Start with examples/hello and the kit package.
package gantry
