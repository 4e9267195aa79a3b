package gateway_test

import (
	"testing"
)

// TestMethodNotAllowed: a path that routes serve with other methods gets
// 405 with their methods in Allow; a path no route serves gets 404.
func TestMethodNotAllowed(t *testing.T) {
	users, admin := newBackend(t, "users"), newBackend(t, "admin")
	_, gw := start(t, replace(`
services:
  users: {urls: ["USERS"]}
  admin: {urls: ["ADMIN"]}
routes:
  - name: users
    prefix: /users
    methods: [GET, HEAD]
    service: users
  - name: user-by-id
    pattern: "DELETE /users/{id}"
    service: admin
`, "USERS", users.URL, "ADMIN", admin.URL))
	for _, tt := range []struct {
		method, path string
		status       int
		allow        string
	}{
		{"POST", "/users/9", 405, "GET, HEAD, DELETE"},
		{"PUT", "/users", 405, "GET, HEAD"},
		{"GET", "/users/9", 200, ""},
		{"GET", "/orders/9", 404, ""},
	} {
		res, _, raw := do(t, tt.method, gw.URL+tt.path, nil, "")
		if res.StatusCode != tt.status || res.Header.Get("Allow") != tt.allow {
			t.Errorf("%s %s: got %d Allow %q, want %d Allow %q (%s)", tt.method, tt.path, res.StatusCode,
				res.Header.Get("Allow"), tt.status, tt.allow, raw)
		}
		if tt.status >= 400 && res.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s %s: Content-Type %q, want application/problem+json", tt.method, tt.path, res.Header.Get("Content-Type"))
		}
	}
}
