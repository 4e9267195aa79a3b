// Package tracing starts an OpenTelemetry span per operation.
//
// The span is named "service/op" (or op alone without a service) and
// carries rpc.system.name "gantry" and rpc.method "service/op", following
// the semantic conventions of telemetry.SemconvVersion (where rpc.system
// became rpc.system.name, and rpc.method is fully qualified); the metrics
// middleware labels the same call service="service", method="op". On error
// the span gets status Error, the error.type attribute (the errs kind, such
// as "unavailable", the same value as the metrics' code label) and the
// recorded error. Its kind is server (or client, WithSpanKind) when it is
// the first span of the call in this process, and internal below a
// transport's span. The tracer comes from the TracerProvider you pass in;
// nothing global is read.
//
// This middleware never rejects a call: the caller sees exactly what the
// endpoint below returned.
//
// Cost when unsampled: an OpenTelemetry SDK provider returns a
// non-recording span for an unsampled call, which still costs IDs, a span
// and a context. With [WithParentBased], which tells the middleware the
// provider samples parent-based, it starts no span below an unsampled
// parent and, when the root ratio is 0, none for calls without a parent:
// such calls cost one context lookup. Below an unsampled parent the
// context keeps the parent's span context, so logs carry its trace ID and
// downstream calls continue its trace.
package tracing
