// Package tracing starts an OpenTelemetry span per operation.
//
// The span is named "service/op" (or op alone without a service), carries
// the rpc.service and rpc.method attributes, and on error gets status Error,
// the error.type attribute (the errs kind, such as "unavailable") and the
// recorded error. The tracer comes from the TracerProvider you pass in;
// nothing global is read.
//
// This middleware never rejects a call: the caller sees exactly what the
// endpoint below returned.
//
// Cost when unsampled: with the default settings every call starts a span,
// and an OpenTelemetry SDK provider returns a non-recording span for an
// unsampled one, which still costs an ID and a context. With
// [WithRootSampling] the middleware makes the head-sampling decision for root
// calls (calls whose context carries no span context) itself and starts no
// span at all for the unsampled ones, which costs one random number. The
// trade-off: an unsampled root call then has no trace id, so its logs carry
// none and downstream calls get no traceparent (a downstream service makes
// its own root decision). Calls with a parent span context, local or remote,
// always start a span and follow the provider's sampler.
package tracing
