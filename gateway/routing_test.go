package gateway_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

const routingYAML = `
services:
  orders:   {urls: ["ORDERS"]}
  orders2:  {urls: ["ORDERS2"]}
  users:    {urls: ["USERS"]}
  admin:    {urls: ["ADMIN"]}
routes:
  - name: orders-v1
    prefix: /orders
    version: v1
    service: orders
    strip_prefix: true
  - name: orders-v2
    prefix: /orders
    version: v2
    service: orders2
    rewrite: /api/orders
  - name: users
    prefix: /users
    methods: [GET]
    service: users
  - name: user-by-id
    pattern: "DELETE /users/{id}"
    service: admin
  - name: admin-host
    prefix: /
    host: admin.example.com
    service: admin
`

func TestRouting(t *testing.T) {
	orders, orders2, users, admin := newBackend(t, "orders"), newBackend(t, "orders2"), newBackend(t, "users"), newBackend(t, "admin")
	_, gw := start(t, replace(routingYAML, "ORDERS2", orders2.URL, "ORDERS", orders.URL, "USERS", users.URL, "ADMIN", admin.URL))
	tests := []struct {
		name       string
		method     string
		path       string
		hdr        map[string]string
		wantStatus int
		wantName   string
		wantPath   string
	}{
		{"version in path, strip", "GET", "/v1/orders/42?x=1", nil, 200, "orders", "/42"},
		{"version in path, root", "GET", "/v1/orders", nil, 200, "orders", "/"},
		{"version header", "GET", "/orders/42", map[string]string{"Accept-Version": "v1"}, 200, "orders", "/42"},
		{"v2 rewrite", "POST", "/v2/orders/7", nil, 200, "orders2", "/api/orders/7"},
		{"v2 by header", "GET", "/orders/7", map[string]string{"Accept-Version": "v2"}, 200, "orders2", "/api/orders/7"},
		{"v2 by Accept vendor type", "GET", "/orders/7", map[string]string{"Accept": "application/vnd.shop.v2+json"}, 200, "orders2", "/api/orders/7"},
		{"v1 by Accept parameter", "GET", "/orders/7", map[string]string{"Accept": "text/html, application/json; version=v1"}, 200, "orders", "/7"},
		{"Accept without version", "GET", "/orders/7", map[string]string{"Accept": "application/json"}, 404, "", ""},
		{"unknown version", "GET", "/v3/orders/7", nil, 404, "", ""},
		{"no version", "GET", "/orders/7", nil, 404, "", ""},
		{"prefix boundary", "GET", "/v1/ordersX", nil, 404, "", ""},
		{"unversioned prefix kept", "GET", "/users/9", nil, 200, "users", "/users/9"},
		{"method filter", "POST", "/users/9", nil, 405, "", ""},
		{"pattern", "DELETE", "/users/9", nil, 200, "admin", "/users/9"},
		{"host route", "POST", "/anything", map[string]string{"Host": "admin.example.com:8080"}, 200, "admin", "/anything"},
		{"other host", "POST", "/anything", map[string]string{"Host": "www.example.com"}, 404, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, e, raw := do(t, tt.method, gw.URL+tt.path, tt.hdr, "")
			if res.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d (%s)", res.StatusCode, tt.wantStatus, raw)
			}
			if tt.wantStatus != 200 {
				if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
					t.Errorf("Content-Type = %q, want application/problem+json", ct)
				}
				return
			}
			if e.Name != tt.wantName || e.Path != tt.wantPath {
				t.Errorf("reached %s %s, want %s %s", e.Name, e.Path, tt.wantName, tt.wantPath)
			}
		})
	}
}

func TestForwardedHeaders(t *testing.T) {
	for _, rfc7239 := range []bool{false, true} {
		t.Run(fmt.Sprintf("forwarded=%v", rfc7239), func(t *testing.T) { testForwardedHeaders(t, rfc7239) })
	}
}

// testForwardedHeaders checks what a service sees of a request, with the
// RFC 7239 Forwarded header on or off.
func testForwardedHeaders(t *testing.T, rfc7239 bool) {
	b := newBackend(t, "b")
	_, gw := start(t, replace(fmt.Sprintf(`
services: {b: {urls: ["URL"], forwarded: %v}}
routes: [{name: all, prefix: /, service: b}]
`, rfc7239), "URL", b.URL))
	wantForwarded := "" // and never the client's
	if rfc7239 {
		wantForwarded = `for="127.0.0.1";host="` + strings.TrimPrefix(gw.URL, "http://") + `";proto=http`
	}
	traceparent := "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	res, e, raw := do(t, "GET", gw.URL+"/x?q=1", map[string]string{
		"X-Forwarded-For": "6.6.6.6",
		"Forwarded":       "for=6.6.6.6",
		"X-Gantry-Claims": "forged",
		"Connection":      "X-Secret",
		"X-Secret":        "hop",
		"X-Request-Id":    "req-123",
		"Traceparent":     traceparent,
	}, "")
	if res.StatusCode != 200 {
		t.Fatalf("status = %d, want 200: %s", res.StatusCode, raw)
	}
	h := e.Header
	checks := []struct{ name, got, want string }{
		{"X-Forwarded-For", h.Get("X-Forwarded-For"), "127.0.0.1"},
		{"X-Forwarded-Host", h.Get("X-Forwarded-Host"), strings.TrimPrefix(gw.URL, "http://")},
		{"X-Forwarded-Proto", h.Get("X-Forwarded-Proto"), "http"},
		{"Forwarded", strings.Join(h["Forwarded"], ","), wantForwarded},
		{"X-Gantry-Claims", h.Get("X-Gantry-Claims"), ""},
		{"X-Secret (hop-by-hop)", h.Get("X-Secret"), ""},
		{"X-Request-Id", h.Get("X-Request-Id"), "req-123"},
		{"traceparent trace id", strings.Split(h.Get("Traceparent")+"---", "-")[1], "4bf92f3577b34da6a3ce929d0e0e4736"},
		{"response X-Request-Id", res.Header.Get("X-Request-Id"), "req-123"},
		{"response X-Hop (hop-by-hop)", res.Header.Get("X-Hop"), ""},
		{"query", e.Query, "q=1"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	// Without a client request id, one is made and sent both ways.
	res, e, _ = do(t, "GET", gw.URL+"/x", nil, "")
	id := res.Header.Get("X-Request-Id")
	if len(id) != 32 || e.Header.Get("X-Request-Id") != id {
		t.Errorf("generated request id = %q upstream, %q client; want the same 32 hex chars", e.Header.Get("X-Request-Id"), id)
	}
	_ = http.StatusOK
}
