package telemetry_test

import (
	"context"
	"strings"
	"testing"

	"github.com/gantrykit/gantry/telemetry"
)

func TestRequestID(t *testing.T) {
	ctx := context.Background()
	if got := telemetry.RequestID(ctx); got != "" {
		t.Fatalf("got %q from an empty context", got)
	}
	if got := telemetry.RequestID(telemetry.WithRequestID(ctx, "abc")); got != "abc" {
		t.Fatalf("got %q, want abc", got)
	}
	if telemetry.WithRequestID(ctx, "") != ctx {
		t.Fatal("an empty ID changed the context")
	}
	a, b := telemetry.NewRequestID(), telemetry.NewRequestID()
	if len(a) != 32 || a == b || !telemetry.ValidRequestID(a) {
		t.Fatalf("NewRequestID: got %q and %q", a, b)
	}
	for _, bad := range []string{"", "a b", "a\nb", "é", strings.Repeat("x", telemetry.MaxRequestIDLen+1)} {
		if telemetry.ValidRequestID(bad) {
			t.Errorf("ValidRequestID(%q) = true", bad)
		}
		if got := telemetry.IncomingRequestID(bad); got == bad || !telemetry.ValidRequestID(got) {
			t.Errorf("IncomingRequestID(%q) = %q", bad, got)
		}
	}
	if got := telemetry.IncomingRequestID("client-7"); got != "client-7" {
		t.Errorf("IncomingRequestID kept nothing: %q", got)
	}
}
