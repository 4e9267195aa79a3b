// Package metrics records Prometheus RED metrics per operation: rate and
// errors by outcome code, duration, and calls in flight.
//
// Names follow the OpenTelemetry semantic conventions for RPC, translated to
// Prometheus (rpc.server.call.duration in seconds becomes
// rpc_server_call_duration_seconds):
//
//	rpc_server_call_duration_seconds{service,method,code}  histogram
//	rpc_server_active_requests{service,method}             gauge
//
// and rpc_client_* for client endpoints ([WithClient]). The histogram's
// _count series is the request counter by outcome, so there is no separate
// counter to keep in step. code is "ok" or the errs kind name
// ("unavailable", "not_found"...), so label values are bounded by the
// operations you register times twelve codes. Each label child is bound
// once per operation ("ok" in For, an error code on its first occurrence,
// so unused codes export no series), so a call does no map lookups and no
// allocations.
//
// The labels match the span the tracing middleware starts for the same
// call: rpc.method "service/method" and error.type equal to code. A call
// whose span is sampled records its duration with an exemplar holding the
// trace ID (label trace_id), which /metrics serves to scrapers that ask
// for OpenMetrics (kit's does), so a latency panel links to the trace.
//
// Metrics are registered on the prometheus.Registerer you pass in; if an
// identical collector is already registered there (a second middleware
// set on the same registry) it is reused.
//
// This middleware never rejects a call: the caller sees exactly what the
// endpoint below returned.
package metrics
