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

// A server's context keeps a valid ID from the peer, replaces an invalid
// or missing one with one new ID that every reader sees, and passes other
// keys and cancellation through.
func TestWithIncomingRequestID(t *testing.T) {
	type key struct{}
	parent, cancel := context.WithCancel(context.WithValue(context.Background(), key{}, "v"))
	if got := telemetry.RequestID(telemetry.WithIncomingRequestID(parent, "client-7")); got != "client-7" {
		t.Errorf("kept %q, want client-7", got)
	}
	for _, bad := range []string{"", "a b", strings.Repeat("x", telemetry.MaxRequestIDLen+1)} {
		ctx := telemetry.WithIncomingRequestID(parent, bad)
		ids := make(chan string, 8)
		for range cap(ids) {
			go func() { ids <- telemetry.RequestID(ctx) }()
		}
		first := <-ids
		if first == bad || !telemetry.ValidRequestID(first) {
			t.Errorf("for %q: got %q", bad, first)
		}
		for range cap(ids) - 1 {
			if id := <-ids; id != first {
				t.Errorf("for %q: readers saw %q and %q", bad, first, id)
			}
		}
		if ctx.Value(key{}) != "v" {
			t.Error("another key is lost")
		}
		child, stop := context.WithCancel(ctx)
		cancel()
		<-child.Done() // the parent's cancellation reaches a child
		stop()
		parent, cancel = context.WithCancel(context.WithValue(context.Background(), key{}, "v"))
	}
	cancel()
	if a, b := telemetry.RequestID(telemetry.WithIncomingRequestID(parent, "")),
		telemetry.RequestID(telemetry.WithIncomingRequestID(parent, "")); a == b {
		t.Errorf("two requests share the ID %q", a)
	}
}
