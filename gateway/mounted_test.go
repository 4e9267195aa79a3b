package gateway_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/gantrykit/gantry/gateway"
	"github.com/gantrykit/gantry/internal/logcheck"
	"github.com/gantrykit/gantry/telemetry"
	httpt "github.com/gantrykit/gantry/transport/http"
)

// A gateway mounted on a tracing Mux (as the shop mounts it on its kit
// App) makes the Mux's server span its own: one server span per hop, named
// and attributed by the gateway, child of the caller's context, and the
// attempt under it.
func TestMountedOnTracingMux(t *testing.T) {
	b := newBackend(t, "b")
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	gw, _ := start(t, replace(`
services: {orders: {urls: ["URL"]}}
routes: [{name: orders, prefix: /orders, service: orders}]
`, "URL", b.URL), gateway.WithTracerProvider(tp))
	mux := httpt.NewMux(httpt.WithTracing(tp, nil))
	mux.Handle("GET /", gw)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	const caller = "00f067aa0ba902b7"
	res, _, raw := do(t, "GET", srv.URL+"/orders/1", map[string]string{
		"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-" + caller + "-01",
	}, "")
	if res.StatusCode != 200 {
		t.Fatalf("status = %d, want 200: %s", res.StatusCode, raw)
	}
	var server, client []sdktrace.ReadOnlySpan
	for _, s := range spans.Ended() {
		switch s.SpanKind() {
		case trace.SpanKindServer:
			server = append(server, s)
		case trace.SpanKindClient:
			client = append(client, s)
		}
	}
	if len(server) != 1 || len(client) != 1 {
		t.Fatalf("got %d server and %d client spans, want 1 and 1", len(server), len(client))
	}
	s, c := server[0], client[0]
	if s.Name() != "GET /orders/{path...}" {
		t.Errorf("server span named %q, want the gateway's route template", s.Name())
	}
	if s.Parent().SpanID().String() != caller || !s.Parent().IsRemote() {
		t.Errorf("server span's parent = %v, want the caller's span %s", s.Parent().SpanID(), caller)
	}
	if c.Parent().SpanID() != s.SpanContext().SpanID() {
		t.Errorf("attempt's parent = %v, want the server span %v", c.Parent().SpanID(), s.SpanContext().SpanID())
	}
	var route string
	for _, kv := range s.Attributes() {
		if kv.Key == "http.route" {
			route = kv.Value.AsString()
		}
	}
	if route != "/orders/{path...}" {
		t.Errorf("server span http.route = %q, want /orders/{path...}", route)
	}
}

// A gateway mounted on a tracing Mux keeps the one request ID the Mux took
// from the client (a well-formed X-Request-Id) or made: the client's
// answer, the upstream's request and every log line of the request (the
// application's own, logged with the Mux's context, and the gateway's
// access line) name the same ID.
func TestMountedKeepsOneRequestID(t *testing.T) {
	b := newBackend(t, "b")
	var logs logcheck.Buffer
	logger := slog.New(telemetry.NewHandler(slog.NewJSONHandler(&logs, nil)))
	gw, _ := start(t, replace(`
services: {orders: {urls: ["URL"]}}
routes: [{name: orders, prefix: /orders, service: orders}]
`, "URL", b.URL), gateway.WithLogger(logger))
	mux := httpt.NewMux(httpt.WithTracing(nil, nil))
	mux.Handle("GET /", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		logger.InfoContext(r.Context(), "in front of the gateway")
		gw.ServeHTTP(w, r)
	}))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	for _, tt := range []struct{ name, sent string }{
		{"none sent", ""},
		{"well formed", "req-from-client-1"},
		{"with a space", "bad id"},
		{"too long", strings.Repeat("x", 129)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := len(logs.String())
			hdr := map[string]string{}
			if tt.sent != "" {
				hdr["X-Request-Id"] = tt.sent
			}
			res, e, raw := do(t, "GET", srv.URL+"/orders/1", hdr, "")
			if res.StatusCode != 200 {
				t.Fatalf("status = %d, want 200: %s", res.StatusCode, raw)
			}
			id := res.Header.Get("X-Request-Id")
			if !telemetry.ValidRequestID(id) || (tt.sent != "" && (id == tt.sent) != telemetry.ValidRequestID(tt.sent)) {
				t.Errorf("answer's X-Request-Id = %q for %q sent, want the sent one if well formed, else a new one", id, tt.sent)
			}
			if got := e.Header["X-Request-Id"]; len(got) != 1 || got[0] != id {
				t.Errorf("upstream got X-Request-Id %v, want [%s]", got, id)
			}
			lines, err := logcheck.Lines(strings.NewReader(logs.String()[before:]))
			if err != nil {
				t.Fatal(err)
			}
			if len(lines) != 2 {
				t.Fatalf("%d log lines, want the application's and the access line: %v", len(lines), lines)
			}
			for _, l := range lines {
				if l["request_id"] != id {
					t.Errorf("log line %q has request_id %v, want %s", l["msg"], l["request_id"], id)
				}
			}
		})
	}
}
