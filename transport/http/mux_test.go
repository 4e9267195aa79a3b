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
		{"GET", "/v1/users/7", http.StatusNotFound, "not_found", ""},
		{"POST", "/v1/orders/7", http.StatusMethodNotAllowed, "invalid_argument", "GET, DELETE"},
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
