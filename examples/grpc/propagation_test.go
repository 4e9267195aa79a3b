package main

import (
	"context"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/metadata"

	"github.com/gantrykit/gantry/examples/grpc/pricespb"
	"github.com/gantrykit/gantry/internal/exampletest"
	"github.com/gantrykit/gantry/internal/logcheck"
	"github.com/gantrykit/gantry/internal/otlptest"
)

// checkPropagation calls GetPrice with a sampled W3C trace context and a
// request ID in the call's metadata, as any gRPC client (or grpcurl -H)
// sends them, and requires that the service's spans join that trace
// under the caller's span and that its log line of the call carries both.
func checkPropagation(t *testing.T, p *exampletest.Proc, rcv *otlptest.Receiver, client pricespb.PricesClient) {
	t.Helper()
	const traceID, callerSpan, requestID = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", "step5-grpc-call"
	ctx := metadata.AppendToOutgoingContext(context.Background(),
		"traceparent", "00-"+traceID+"-"+callerSpan+"-01", "x-request-id", requestID)
	if _, err := client.GetPrice(ctx, &pricespb.GetPriceRequest{Sku: "teapot"}); err != nil {
		t.Fatalf("traced call: %v", err)
	}

	// The gRPC server span is the caller's child; the endpoint chain's
	// span is the server span's.
	const server, chain = "gantry.examples.prices.v1.Prices/GetPrice", "prices/get_price"
	var spans []otlptest.Span
	for deadline := time.Now().Add(10 * time.Second); len(spans) < 2 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		spans = rcv.Trace(traceID)
	}
	byName := map[string]otlptest.Span{}
	for _, s := range spans {
		byName[s.Name] = s
	}
	srv, ok := byName[server]
	if !ok || otlptest.Kind(srv) != "server" || hex.EncodeToString(srv.ParentSpanId) != callerSpan || srv.Service != "prices" {
		t.Fatalf("trace %s: no prices server span %q under the caller's span %s; got %v", traceID, server, callerSpan, spans)
	}
	c, ok := byName[chain]
	if !ok || string(c.ParentSpanId) != string(srv.SpanId) {
		t.Fatalf("trace %s: no span %q under the server span; got %v", traceID, chain, spans)
	}

	// The log line of the call: one JSON object with unique keys, with the
	// caller's request ID, in the chain's span of the caller's trace.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		line := callLine(t, p, requestID)
		if line != nil {
			if line["msg"] != "call" || line["trace_id"] != traceID || line["span_id"] != hex.EncodeToString(c.SpanId) {
				t.Errorf("the call's log line %v, want msg call, trace_id %s, span_id %x", line, traceID, c.SpanId)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no log line with request_id %s in:\n%s", requestID, p.Logs())
		}
	}
}

// callLine returns the service's log line with the request ID id, if
// written yet.
func callLine(t *testing.T, p *exampletest.Proc, id string) map[string]any {
	t.Helper()
	lines, err := logcheck.Lines(strings.NewReader(p.Logs()))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lines {
		if l["request_id"] == id {
			return l
		}
	}
	return nil
}
