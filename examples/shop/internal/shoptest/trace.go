package shoptest

import (
	"encoding/hex"
	"strings"
	"testing"
	"time"

	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"

	"github.com/gantrykit/gantry/internal/otlptest"
)

type span = otlptest.Span

// OrderTrace waits for the trace of the one order the gateway accepted
// (POST /api/v1/orders answered 202) and checks that its spans form one
// trace, each span's parent in it, with the semantic conventions'
// attributes (semconv 1.43, kit's doc):
//
//	gateway server → gateway attempt (client) → order HTTP server →
//	order endpoint → … → order gRPC client → product gRPC server, and the
//	order's events: order publish (the outbox relay, a child of the
//	request's context) → product consumer → product publish → order consumer.
//
// It logs the span tree and returns the trace ID.
func OrderTrace(t *testing.T, rcv *otlptest.Receiver) string {
	t.Helper()
	// The services export in batches (every 50ms in these tests): wait for
	// the gateway's span, then until every span's parent has arrived and
	// each service has sent its part.
	deadline := time.Now().Add(15 * time.Second)
	var roots []span
	for len(roots) == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		roots = rcv.Find(func(s span) bool {
			return s.Service == "gateway" && s.Kind == tracepb.Span_SPAN_KIND_SERVER &&
				s.Name == "POST /api/v1/orders/{path...}" && attr(s, "http.response.status_code") == "202"
		})
	}
	if len(roots) != 1 {
		t.Logf("received spans:\n%s", otlptest.Tree(rcv.Spans()))
		t.Fatalf("got %d gateway server spans for the accepted order, want 1", len(roots))
	}
	root := roots[0]
	traceID := hex.EncodeToString(root.TraceId)
	var spans []span
	for {
		if refused := rcv.Refused(); len(refused) > 0 {
			t.Fatalf("the receiver refused exports: %v", refused)
		}
		spans = rcv.Trace(traceID)
		if otlptest.Orphans(spans) == 0 && count(spans, tracepb.Span_SPAN_KIND_PRODUCER) >= 2 &&
			count(spans, tracepb.Span_SPAN_KIND_CONSUMER) >= 2 && count(spans, tracepb.Span_SPAN_KIND_SERVER) >= 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("trace %s incomplete after 15s (%d spans whose parent is missing):\n%s", traceID, otlptest.Orphans(spans), otlptest.Tree(spans))
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("the order's trace %s:\n%s", traceID, otlptest.Tree(spans))
	c := checker{t: t, spans: spans, byID: map[string]span{}}
	for _, s := range spans {
		c.byID[hex.EncodeToString(s.SpanId)] = s
	}
	c.check(root)
	return traceID
}

type checker struct {
	t     *testing.T
	spans []span
	byID  map[string]span
}

func (c checker) parent(s span) span { return c.byID[hex.EncodeToString(s.ParentSpanId)] }

// one returns the one span of service and kind whose parent is parent
// (any ancestor when deep) and for which match holds.
func (c checker) one(what, service string, k tracepb.Span_SpanKind, parent span, deep bool, match func(span) bool) span {
	c.t.Helper()
	var got []span
	for _, s := range c.spans {
		if s.Service != service || s.Kind != k || (match != nil && !match(s)) {
			continue
		}
		if p := c.parent(s); p.Span == parent.Span || (deep && c.descends(s, parent)) {
			got = append(got, s)
		}
	}
	if len(got) != 1 {
		c.t.Fatalf("%s: got %d spans, want 1", what, len(got))
	}
	return got[0]
}

func (c checker) descends(s, from span) bool {
	for s = c.parent(s); s.Span != nil; s = c.parent(s) {
		if s.Span == from.Span {
			return true
		}
	}
	return false
}

// has checks s's attributes: a value "*" asks for any non-empty value.
func (c checker) has(what string, s span, want map[string]string) {
	c.t.Helper()
	for k, v := range want {
		got := attr(s, k)
		if got == "" || (v != "*" && got != v) {
			c.t.Errorf("%s %q: %s = %q, want %q", what, s.Name, k, got, v)
		}
	}
}

func (c checker) check(root span) {
	t := c.t
	internal, server, client := tracepb.Span_SPAN_KIND_INTERNAL, tracepb.Span_SPAN_KIND_SERVER, tracepb.Span_SPAN_KIND_CLIENT
	producer, consumer := tracepb.Span_SPAN_KIND_PRODUCER, tracepb.Span_SPAN_KIND_CONSUMER
	if len(root.ParentSpanId) != 0 {
		t.Errorf("the gateway's server span has a parent %x; the client sent no trace context", root.ParentSpanId)
	}
	c.has("gateway server span", root, map[string]string{"http.request.method": "POST", "http.route": "/api/v1/orders/{path...}",
		"url.path": "/api/v1/orders", "url.scheme": "http", "server.address": "*", "server.port": "*",
		"http.response.status_code": "202", "user_agent.original": "*"})
	attempt := c.one("gateway attempt (client span under the server span)", "gateway", client, root, false, nil)
	c.has("gateway attempt", attempt, map[string]string{"http.request.method": "POST", "server.address": "127.0.0.1",
		"server.port": "*", "http.response.status_code": "202"})
	if u := attr(attempt, "url.full"); !strings.HasPrefix(u, "http://127.0.0.1:") || !strings.HasSuffix(u, "/api/v1/orders") {
		t.Errorf("gateway attempt url.full = %q, want the upstream URL", u)
	}
	orderServer := c.one("order service's HTTP server span under the attempt", "order", server, attempt, false, nil)
	c.has("order server span", orderServer, map[string]string{"http.request.method": "POST", "http.route": "/api/v1/orders",
		"url.path": "/api/v1/orders", "url.scheme": "http", "server.address": "*", "server.port": "*", "http.response.status_code": "202"})
	endpoint := c.one("order service's endpoint span under its server span", "order", internal, orderServer, false,
		func(s span) bool { return s.Name == "order/create_order" })
	c.has("order endpoint span", endpoint, map[string]string{"rpc.system.name": "gantry", "rpc.method": "order/create_order"})
	grpcClient := c.one("order service's gRPC client span under its endpoint", "order", client, endpoint, true,
		func(s span) bool { return attr(s, "rpc.system.name") == "grpc" })
	c.has("order's gRPC client span", grpcClient, map[string]string{"rpc.method": "shop.product.v1.Catalog/GetProducts", "server.address": "*", "server.port": "*"})
	productServer := c.one("product service's gRPC server span under the order service's client", "product", server, grpcClient, false, nil)
	c.has("product's gRPC server span", productServer, map[string]string{"rpc.system.name": "grpc", "rpc.method": "shop.product.v1.Catalog/GetProducts"})

	// The events: the outbox relay publishes as a child of the request.
	publish := func(what, service, subject string, from span) span {
		p := c.one(what, service, producer, from, true, nil)
		c.has(what, p, map[string]string{"messaging.system": "nats", "messaging.destination.name": subject,
			"messaging.operation.type": "send", "messaging.message.id": "*"})
		return p
	}
	consume := func(what, service, subject string, from span) span {
		s := c.one(what, service, consumer, from, false, nil)
		c.has(what, s, map[string]string{"messaging.system": "nats", "messaging.destination.name": subject,
			"messaging.operation.type": "process", "messaging.message.id": attr(from, "messaging.message.id")})
		return s
	}
	orderPublish := publish("order service's publish of orders.created", "order", "orders.created", orderServer)
	productConsume := consume("product service's consumer of orders.created", "product", "orders.created", orderPublish)
	productPublish := publish("product service's publish of stock.reserved", "product", "stock.reserved", productConsume)
	consume("order service's consumer of stock.reserved", "order", "stock.reserved", productPublish)
}

func attr(s span, key string) string { return otlptest.Attr(s.Attributes, key) }

func count(spans []span, k tracepb.Span_SpanKind) int {
	n := 0
	for _, s := range spans {
		if s.Kind == k {
			n++
		}
	}
	return n
}
