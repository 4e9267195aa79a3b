package telemetry_test

import (
	"net/http"
	"slices"
	"testing"

	"go.opentelemetry.io/otel/propagation"

	"github.com/gantrykit/gantry/telemetry"
)

// HeaderCarrier answers exactly as propagation.HeaderCarrier over the same
// headers, whatever the case of the key asked for.
func TestHeaderCarrierMatchesHTTPHeaderCarrier(t *testing.T) {
	h := http.Header{}
	std := propagation.HeaderCarrier(h)
	std.Set("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
	std.Set("tracestate", "congo=t61rcWkgMzE")
	std.Set("baggage", "user=42")
	std.Set("x-b3-traceid", "80f198ee56343ba864fe8b2a57d3eff7")
	h["lower-only"] = []string{"kept as sent"} // not canonical: neither finds it
	c := telemetry.HeaderCarrier(h)
	for _, key := range []string{"traceparent", "Traceparent", "tracestate", "baggage", "x-b3-traceid", "X-B3-Traceid", "lower-only", "missing"} {
		if got, want := c.Get(key), std.Get(key); got != want {
			t.Errorf("Get(%q) = %q, want %q", key, got, want)
		}
	}
	got, want := c.Keys(), std.Keys()
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("Keys() = %v, want %v", got, want)
	}
	c.Set("tracestate", "rojo=00f067aa0ba902b7")
	if got := std.Get("tracestate"); got != "rojo=00f067aa0ba902b7" {
		t.Errorf("after Set: tracestate = %q, want rojo=00f067aa0ba902b7", got)
	}
}
