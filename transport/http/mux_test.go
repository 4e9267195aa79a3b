package http_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	httpt "github.com/gantrykit/gantry/transport/http"
)

func TestMuxMisses(t *testing.T) {
	m := httpt.NewMux()
	m.HandleFunc("GET /v1/orders/{id}", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	m.HandleFunc("DELETE /v1/orders/{id}", func(w http.ResponseWriter, r *http.Request) {})
	tests := []struct {
		method, path string
		status       int
		code, allow  string
	}{
		{"GET", "/v1/orders/7", http.StatusTeapot, "", ""},
		{"HEAD", "/v1/orders/7", http.StatusTeapot, "", ""}, // as Allow says
		{"GET", "/v1/users/7", http.StatusNotFound, "not_found", ""},
		{"POST", "/v1/orders/7", http.StatusMethodNotAllowed, "invalid_argument", "GET, HEAD, DELETE"},
	}
	for _, tt := range tests {
		w, p := serve(t, m, httptest.NewRequest(tt.method, tt.path, nil))
		if w.Code != tt.status || p.Code != tt.code || w.Header().Get("Allow") != tt.allow {
			t.Errorf("%s %s: got %d %q Allow=%q, want %d %q Allow=%q",
				tt.method, tt.path, w.Code, p.Code, w.Header().Get("Allow"), tt.status, tt.code, tt.allow)
		}
	}
	routes := m.Routes()
	if len(routes) != 2 || routes[0].Method != "GET" || routes[0].Path != "/v1/orders/{id}" || routes[0].Operation != nil {
		t.Errorf("Routes() = %+v, want the two plain routes in order", routes)
	}
	routes[0].Path = "changed"
	if m.Routes()[0].Path != "/v1/orders/{id}" {
		t.Error("Routes() shares its slice with the Mux")
	}
}

// TestMuxRootFallback: a handler for "/" answers what no other pattern
// matches, wrong methods included, in place of the problem+json 404/405.
func TestMuxRootFallback(t *testing.T) {
	m := httpt.NewMux()
	m.HandleFunc("POST /v1/orders", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(201) })
	m.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(299) })
	for _, tt := range []struct {
		method, path string
		want         int
	}{
		{"POST", "/v1/orders", 201},
		{"GET", "/v1/orders", 299},
		{"GET", "/anything/else", 299},
	} {
		rec := httptest.NewRecorder()
		m.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
		if rec.Code != tt.want {
			t.Errorf("%s %s = %d, want %d", tt.method, tt.path, rec.Code, tt.want)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error(`registering "/" twice did not panic`)
		}
	}()
	m.HandleFunc("/", func(http.ResponseWriter, *http.Request) {})
}
