package api

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gantrykit/gantry/middleware"
	httpt "github.com/gantrykit/gantry/transport/http"

	"github.com/gantrykit/gantry/templates/service/internal/items"
)

// newServer serves the real routes through the default middleware chain,
// as the service does.
func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	chain, err := middleware.NewServer(middleware.Config{}, middleware.Deps{Service: "skeleton", Registerer: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	mux := httpt.NewMux()
	Serve(Servers{HTTP: mux}, items.NewService(items.NewMemory(), nil), chain.For)
	mux.Handle("GET /openapi.json", mux.OpenAPIHandler(httpt.Info{Title: "skeleton", Version: "test"}))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func call(t *testing.T, method, url, body string) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
}

func TestHTTP(t *testing.T) {
	srv := newServer(t)
	status, _, body := call(t, "POST", srv.URL+"/v1/items", `{"name":"lamp"}`)
	if status != 201 {
		t.Fatalf("create: got %d %s, want 201", status, body)
	}
	var created items.Item
	if err := json.Unmarshal([]byte(body), &created); err != nil || created.ID == "" {
		t.Fatalf("create: got %s (%v), want an item with an ID", body, err)
	}

	tests := []struct {
		name, method, path, body string
		status                   int
		contains                 string
	}{
		{"get", "GET", "/v1/items/" + created.ID, "", 200, `"name":"lamp"`},
		{"list", "GET", "/v1/items?limit=5", "", 200, created.ID},
		{"unknown id", "GET", "/v1/items/nope", "", 404, `item not found`},
		{"missing name", "POST", "/v1/items", `{}`, 400, `"field":"name"`},
		{"blank name", "POST", "/v1/items", `{"name":"  "}`, 400, `name must have`},
		{"unknown member", "POST", "/v1/items", `{"name":"a","x":1}`, 400, `"x"`},
		{"limit too big", "GET", "/v1/items?limit=1000", "", 400, `limit`},
		{"wrong method", "DELETE", "/v1/items", "", 405, `not allowed`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, ctype, body := call(t, tt.method, srv.URL+tt.path, tt.body)
			if status != tt.status {
				t.Fatalf("got %d %s, want %d", status, body, tt.status)
			}
			if status >= 400 && ctype != "application/problem+json" {
				t.Errorf("Content-Type: got %q, want application/problem+json", ctype)
			}
			if !strings.Contains(body, tt.contains) {
				t.Errorf("got body %s, want it to contain %s", body, tt.contains)
			}
		})
	}
}

func TestOpenAPI(t *testing.T) {
	srv := newServer(t)
	status, _, body := call(t, "GET", srv.URL+"/openapi.json", "")
	if status != 200 {
		t.Fatalf("got %d, want 200", status)
	}
	var doc struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatal(err)
	}
	for path, method := range map[string]string{"/v1/items": "post", "/v1/items/{id}": "get"} {
		if _, ok := doc.Paths[path][method]; !ok {
			t.Errorf("paths[%s][%s] missing; got %v", path, method, doc.Paths)
		}
	}
}
