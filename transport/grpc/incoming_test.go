package grpc

import (
	"context"
	"testing"

	"google.golang.org/grpc/metadata"
)

// The server reads grpc-go's own incoming metadata, not the slower copy:
// if grpc-go ever keeps it another way, this fails and says so (the
// fallback still works, at the old cost).
func TestIncomingMDIsGRPCsOwn(t *testing.T) {
	if incomingMDKey() == nil {
		t.Fatal("grpc-go's incoming metadata key was not found; incomingMD copies every call's metadata")
	}
	md := metadata.Pairs("traceparent", "00-x", "x-request-id", "r1")
	got := incomingMD(metadata.NewIncomingContext(context.Background(), md))
	if &got["traceparent"][0] != &md["traceparent"][0] {
		t.Error("incomingMD returned a copy")
	}
	if first(got, "X-Request-Id") != "r1" || first(got, "baggage") != "" {
		t.Errorf("first: got %q and %q", first(got, "X-Request-Id"), first(got, "baggage"))
	}
	if incomingMD(context.Background()) != nil {
		t.Error("metadata from a context without any")
	}
}
