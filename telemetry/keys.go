package telemetry

// The log keys of the package documentation, for code that builds
// attributes by name.
const (
	KeyService          = "service"
	KeyVersion          = "version"
	KeyInstance         = "instance"
	KeyTraceID          = "trace_id"
	KeySpanID           = "span_id"
	KeyRequestID        = "request_id"
	KeyOp               = "op"
	KeyCode             = "code"
	KeyDuration         = "duration"
	KeyError            = "error"
	KeyRoute            = "route"
	KeyMethod           = "method"
	KeyPath             = "path"
	KeyStatus           = "status"
	KeyUpstream         = "upstream"
	KeyUpstreamInstance = "upstream_instance"
	KeySubject          = "subject"
	KeyEventID          = "event_id"
	KeyDeliveries       = "deliveries"
	KeyReason           = "reason"
)

// SemconvVersion is the version of the OpenTelemetry semantic conventions
// Gantry's spans follow; SchemaURL is its schema URL.
const (
	SemconvVersion = "1.43.0"
	SchemaURL      = "https://opentelemetry.io/schemas/" + SemconvVersion
)
