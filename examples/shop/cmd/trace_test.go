package cmd_test

import (
	"encoding/hex"
	"strings"
	"testing"
	"time"

	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"

	"github.com/gantrykit/gantry/internal/exampletest"
	"github.com/gantrykit/gantry/internal/logcheck"
)

// checkTrace holds the shop's tracing promise (deploy/README.md) across
// processes for the order the gateway answered with X-Request-Id reqID:
// its spans, exported by each process to the receiver, form one trace —
// gateway server span → gateway attempt → order service's HTTP server span
// → … → the order service's gRPC client → the product service's gRPC server,
// and the events the order caused: the order service's publish (through
// its outbox relay) → the product service's consumer → its publish → the
// order service's consumer — every span's parent in the trace; and every
// JSON log line of every
// process parses with no key twice, and each line of that request carries
// both its trace_id and its request_id.
func checkTrace(t *testing.T, rcv *receiver, reqID string, procs map[string]*exampletest.Proc) {
	if reqID == "" {
		t.Fatal("the gateway's answer carried no X-Request-Id")
	}
	// The processes export in batches (every 50ms here): wait for the
	// gateway's span, then until every span's parent has arrived and each
	// service has sent its part.
	deadline := time.Now().Add(15 * time.Second)
	var roots []span
	for len(roots) == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		roots = rcv.find(func(s span) bool {
			return s.service == "gateway" && s.Kind == tracepb.Span_SPAN_KIND_SERVER &&
				s.Name == "POST /api/v1/orders/{path...}" && attr(s.Attributes, "http.response.status_code") == "202"
		})
	}
	if len(roots) != 1 {
		all := rcv.find(func(span) bool { return true })
		t.Logf("received %d spans:\n%s", len(all), tree(all))
		t.Fatalf("got %d gateway server spans for the accepted order, want 1", len(roots))
	}
	root := roots[0]
	traceID := hex.EncodeToString(root.TraceId)
	t.Logf("trace %s, request %s", traceID, reqID)

	var spans []span
	for {
		var refused []string
		spans, refused = rcv.trace(traceID)
		if len(refused) > 0 {
			t.Fatalf("the receiver refused exports: %v", refused)
		}
		if orphans(spans) == 0 && hasServices(spans, "gateway", "order", "product") &&
			count(spans, tracepb.Span_SPAN_KIND_PRODUCER) >= 2 && count(spans, tracepb.Span_SPAN_KIND_CONSUMER) >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("trace %s incomplete after 15s (%d spans whose parent is missing):\n%s", traceID, orphans(spans), tree(spans))
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("the order's span tree:\n%s", tree(spans))

	byID := map[string]span{}
	for _, s := range spans {
		byID[hex.EncodeToString(s.SpanId)] = s
	}
	parent := func(s span) span { return byID[hex.EncodeToString(s.ParentSpanId)] }
	one := func(what string, match func(span) bool) span {
		t.Helper()
		var got []span
		for _, s := range spans {
			if match(s) {
				got = append(got, s)
			}
		}
		if len(got) != 1 {
			t.Fatalf("%s: got %d spans, want 1", what, len(got))
		}
		return got[0]
	}
	is := func(s span, service string, k tracepb.Span_SpanKind) bool { return s.service == service && s.Kind == k }

	if len(root.ParentSpanId) != 0 {
		t.Errorf("the gateway's server span has a parent %x; the client sent no trace context", root.ParentSpanId)
	}
	if got := attr(root.Attributes, "http.route"); got != "/api/v1/orders/{path...}" {
		t.Errorf("gateway server span http.route = %q, want the route template", got)
	}
	attempt := one("gateway attempt (client span under the server span)", func(s span) bool {
		return is(s, "gateway", tracepb.Span_SPAN_KIND_CLIENT) && parent(s).Span == root.Span
	})
	if u := attr(attempt.Attributes, "url.full"); !strings.HasPrefix(u, "http://127.0.0.1:") || !strings.HasSuffix(u, "/api/v1/orders") {
		t.Errorf("gateway attempt url.full = %q, want the upstream URL", u)
	}
	orderServer := one("order service HTTP server span under the attempt", func(s span) bool {
		return is(s, "order", tracepb.Span_SPAN_KIND_SERVER) && parent(s).Span == attempt.Span
	})
	if attr(orderServer.Attributes, "http.request.method") != "POST" || attr(orderServer.Attributes, "http.route") == "" {
		t.Errorf("order server span lacks http.request.method=POST or http.route: %v", orderServer.Attributes)
	}
	grpcClient := one("order service's gRPC client span", func(s span) bool {
		return is(s, "order", tracepb.Span_SPAN_KIND_CLIENT) && attr(s.Attributes, "rpc.system.name") == "grpc"
	})
	productServer := one("product service's gRPC server span under the order service's client", func(s span) bool {
		return is(s, "product", tracepb.Span_SPAN_KIND_SERVER) && parent(s).Span == grpcClient.Span
	})
	if got := attr(productServer.Attributes, "rpc.method"); got != "shop.product.v1.Catalog/GetProducts" {
		t.Errorf("product server span rpc.method = %q, want shop.product.v1.Catalog/GetProducts", got)
	}
	descends := func(s, from span) bool {
		for s = parent(s); s.Span != nil; s = parent(s) {
			if s.Span == from.Span {
				return true
			}
		}
		return false
	}
	if !descends(grpcClient, orderServer) {
		t.Fatalf("the gRPC client span does not descend from the order service's server span")
	}
	// The events: the outbox relay publishes in the request's trace.
	orderPublish := one("order service's publish of the order's event, in the request's trace", func(s span) bool {
		return is(s, "order", tracepb.Span_SPAN_KIND_PRODUCER) && descends(s, orderServer)
	})
	productConsume := one("product service's consumer of the order's event", func(s span) bool {
		return is(s, "product", tracepb.Span_SPAN_KIND_CONSUMER) && parent(s).Span == orderPublish.Span
	})
	productPublish := one("product service's publish of its answer", func(s span) bool {
		return is(s, "product", tracepb.Span_SPAN_KIND_PRODUCER) && descends(s, productConsume)
	})
	one("order service's consumer of the product service's answer", func(s span) bool {
		return is(s, "order", tracepb.Span_SPAN_KIND_CONSUMER) && parent(s).Span == productPublish.Span
	})

	checkLogs(t, procs, traceID, reqID)
}

// checkLogs parses every line of every process strictly and checks that
// each line naming the request's trace or request ID names both, and that
// every call line (key op) names a trace and a request.
func checkLogs(t *testing.T, procs map[string]*exampletest.Proc, traceID, reqID string) {
	t.Helper()
	for name, p := range procs {
		lines, err := logcheck.Lines(strings.NewReader(p.Logs()))
		if err != nil {
			t.Errorf("%s's logs: %v", name, err)
		}
		var joined int
		for _, l := range lines {
			tid, _ := l["trace_id"].(string)
			rid, _ := l["request_id"].(string)
			if _, call := l["op"]; call && (tid == "" || rid == "") {
				// Every call in this test serves a request.
				t.Errorf("%s logged a call without trace_id or request_id: %v", name, l)
			}
			if tid != traceID && rid != reqID {
				continue
			}
			joined++
			if tid != traceID || rid != reqID {
				t.Errorf("%s logged a line of the order with trace_id %q and request_id %q, want %s and %s: %v", name, tid, rid, traceID, reqID, l)
			}
		}
		t.Logf("%s: %d log lines, %d of them of the order", name, len(lines), joined)
		if name != "user" && joined == 0 {
			t.Errorf("%s logged no line with the order's trace_id and request_id", name)
		}
		if t.Failed() {
			t.Logf("%s's logs:\n%s", name, p.Logs())
		}
	}
}

// orphans counts the spans whose parent is not among spans, less the one
// root.
func orphans(spans []span) int {
	ids := map[string]bool{}
	for _, s := range spans {
		ids[hex.EncodeToString(s.SpanId)] = true
	}
	n := 0
	for _, s := range spans {
		if !ids[hex.EncodeToString(s.ParentSpanId)] {
			n++
		}
	}
	return n - 1
}

func hasServices(spans []span, services ...string) bool {
	seen := map[string]bool{}
	for _, s := range spans {
		seen[s.service] = true
	}
	for _, want := range services {
		if !seen[want] {
			return false
		}
	}
	return true
}

// count returns how many of spans are of kind k.
func count(spans []span, k tracepb.Span_SpanKind) int {
	n := 0
	for _, s := range spans {
		if s.Kind == k {
			n++
		}
	}
	return n
}
