// Package telemetry is the vocabulary every Gantry package shares so that
// one request can be followed across services: the request ID that
// travels beside the W3C trace context, the one set of log keys, and a
// slog.Handler that adds trace and request IDs to every record and keeps
// one key per record.
//
// It sits with endpoint and errs at the bottom of the layers: transports,
// middleware, the runtime and the gateway all import it, and it imports
// only the standard library and the OpenTelemetry trace API.
//
// # Log keys
//
// Every log line the toolkit writes uses these keys, and only these for
// these meanings (the constants below hold them):
//
//	service            the service that wrote the line (bound by kit)
//	version            its version (bound by kit)
//	instance           its instance ID (bound by kit); never another's
//	trace_id, span_id  the span of the record's context, sampled or not
//	request_id         the X-Request-Id of the request being handled
//	op                 the endpoint operation ("create_order")
//	code               the outcome: "ok" or the error kind
//	duration           how long the call or request took
//	error              the error's text
//	route              the route: a gateway route's name, an HTTP
//	                   route template elsewhere
//	method, path       the HTTP method and path of a request
//	status             the HTTP status answered
//	upstream           the service a request was sent to
//	upstream_instance  the instance of that service that answered
//	subject            a NATS subject; event_id the event's ID
//	deliveries         how many times the event has been delivered
//	reason             why something was refused or dead-lettered
//
// A line logged while handling a request carries trace_id and request_id
// when it is logged with the request's context (the *Context methods of
// slog.Logger, or LogAttrs): NewHandler reads both from the context.
//
// # Semantic conventions
//
// Spans follow the OpenTelemetry semantic conventions of version
// SemconvVersion (the version the OpenTelemetry Go instrumentation that
// Gantry uses for gRPC, otelgrpc, emits), recorded as the tracers' schema
// URL.
package telemetry
