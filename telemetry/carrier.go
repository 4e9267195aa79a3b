package telemetry

import (
	"net/http"
	"net/textproto"

	"go.opentelemetry.io/otel/propagation"
)

// HeaderCarrier adapts HTTP and NATS headers (canonical keys) to a
// propagator as propagation.HeaderCarrier does, but looks up the W3C keys
// (traceparent, tracestate, baggage) without building their canonical
// form on every request.
type HeaderCarrier map[string][]string

var _ propagation.TextMapCarrier = HeaderCarrier(nil)

// Get returns the first value of key.
func (c HeaderCarrier) Get(key string) string {
	switch key {
	case "traceparent":
		key = "Traceparent"
	case "tracestate":
		key = "Tracestate"
	case "baggage":
		key = "Baggage"
	default:
		key = textproto.CanonicalMIMEHeaderKey(key)
	}
	if v := c[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// Set sets key to value, replacing its values.
func (c HeaderCarrier) Set(key, value string) { http.Header(c).Set(key, value) }

// Keys lists the keys.
func (c HeaderCarrier) Keys() []string { return propagation.HeaderCarrier(c).Keys() }
