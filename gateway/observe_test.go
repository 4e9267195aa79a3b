package gateway_test

import (
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/gantrykit/gantry/gateway"
	"github.com/gantrykit/gantry/internal/logcheck"
)

func TestObservability(t *testing.T) {
	b := newBackend(t, "b")
	reg := prometheus.NewRegistry()
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	var logs logcheck.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, nil))
	_, gw := start(t, replace(`
services: {orders: {urls: ["URL", "DEAD"]}}
routes: [{name: orders, prefix: /orders, service: orders, retries: 1}]
`, "URL", b.URL, "DEAD", deadURL(t)),
		gateway.WithRegisterer(reg), gateway.WithTracerProvider(tp), gateway.WithLogger(logger))

	const n = 6
	for i := 0; i < n; i++ {
		if res, _, raw := do(t, "GET", gw.URL+"/orders/"+strings.Repeat("x", i+1), nil, ""); res.StatusCode != 200 {
			t.Fatalf("status = %d, want 200: %s", res.StatusCode, raw)
		}
	}
	do(t, "GET", gw.URL+"/nowhere", nil, "")

	if got := counter(t, reg, "gateway_requests_total", "route=orders", "code=200"); got != n {
		t.Errorf("gateway_requests_total{route=orders,code=200} = %v, want %d", got, n)
	}
	if got := counter(t, reg, "gateway_requests_total", "route=", "code=404"); got != 1 {
		t.Errorf("gateway_requests_total{route=\"\",code=404} = %v, want 1 (the unrouted request)", got)
	}
	if got := counter(t, reg, "gateway_upstream_attempts_total", "route=orders", "upstream=orders", "outcome=ok"); got != n {
		t.Errorf("ok attempts = %v, want %d", got, n)
	}
	retries := counter(t, reg, "gateway_retries_total", "route=orders", "upstream=orders")
	failed := counter(t, reg, "gateway_upstream_attempts_total", "route=orders", "upstream=orders", "outcome=error")
	if retries != failed {
		t.Errorf("retries = %v, failed attempts = %v; want equal (every failure retried)", retries, failed)
	}
	// Labels stay bounded: paths never become label values.
	mfs, _ := reg.Gather()
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if strings.Contains(l.GetValue(), "/") {
					t.Errorf("%s has label %s=%q, want no paths in labels", mf.GetName(), l.GetName(), l.GetValue())
				}
			}
		}
	}

	// One server span per request, one client span per attempt, same trace,
	// named and attributed as the semantic conventions say.
	ended := spans.Ended()
	var server, client int
	for _, s := range ended {
		a := map[string]string{}
		for _, kv := range s.Attributes() {
			a[string(kv.Key)] = kv.Value.String()
		}
		switch s.SpanKind() {
		case trace.SpanKindServer:
			server++
			if s.Name() != "GET /orders/{path...}" || a["http.route"] != "/orders/{path...}" || a["http.request.method"] != "GET" ||
				!strings.HasPrefix(a["url.path"], "/orders/") || a["url.scheme"] != "http" || a["server.address"] == "" ||
				a["gateway.route"] != "orders" || a["http.response.status_code"] != "200" || a["user_agent.original"] == "" {
				t.Errorf("server span %q %v", s.Name(), a)
			}
		case trace.SpanKindClient:
			client++
			if s.Parent().TraceID() != s.SpanContext().TraceID() || !s.Parent().IsValid() {
				t.Errorf("attempt span %q has no parent in the request's trace", s.Name())
			}
			if s.Name() != "GET" || a["http.request.method"] != "GET" || !strings.Contains(a["url.full"], "/orders/") ||
				a["server.address"] == "" || a["server.port"] == "" || a["gateway.upstream"] != "orders" {
				t.Errorf("attempt span %q %v", s.Name(), a)
			}
			if a["http.response.status_code"] != "200" && a["error.type"] == "" {
				t.Errorf("failed attempt span %q has no error.type: %v", s.Name(), a)
			}
		}
	}
	if server != n || client != n+int(failed) {
		t.Errorf("spans: %d server, %d client; want %d and %d", server, client, n, n+int(failed))
	}

	// One access log line per request, each key once, with the fields
	// operators need; the unrouted request's line has its request ID.
	lines, err := logcheck.Lines(strings.NewReader(logs.String()))
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != n+1 {
		t.Fatalf("access log has %d lines, want %d:\n%s", len(lines), n+1, logs.String())
	}
	for _, k := range []string{"route", "upstream", "upstream_instance", "status", "duration", "request_id", "trace_id"} {
		if lines[0][k] == nil || lines[0][k] == "" {
			t.Errorf("access log line lacks %q: %v", k, lines[0])
		}
	}
	if id := lines[n]["request_id"]; id == nil || id == "" {
		t.Errorf("unrouted line lacks request_id: %v", lines[n])
	}
}

// gauge returns the value of the gauge with exactly the given labels, or 0.
func gauge(t *testing.T, reg *prometheus.Registry, name string, labels ...string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			ok := mf.GetName() == name && len(m.GetLabel()) == len(labels)
			for _, l := range m.GetLabel() {
				ok = ok && slices.Contains(labels, l.GetName()+"="+l.GetValue())
			}
			if ok {
				return m.GetGauge().GetValue()
			}
		}
	}
	return 0
}

// counter returns the value of the counter with exactly the given labels
// ("route=orders", "code=200"), or 0.
func counter(t *testing.T, reg *prometheus.Registry, name string, labels ...string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			ok := len(m.GetLabel()) == len(labels)
			for _, l := range m.GetLabel() {
				ok = ok && slices.Contains(labels, l.GetName()+"="+l.GetValue())
			}
			if ok {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}
