package gateway_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/gantrykit/gantry/internal/fulltest"
)

// specServer is an upstream that serves an OpenAPI document for paths.
func specServer(t *testing.T, title string, paths ...string) *httptest.Server {
	t.Helper()
	ps := map[string]any{}
	for _, p := range paths {
		ps[p] = map[string]any{"get": map[string]any{"operationId": title + strings.ReplaceAll(p, "/", "_"), "summary": "get " + p,
			"responses": map[string]any{"200": map[string]any{"description": "ok"}}}}
	}
	doc, _ := json.Marshal(map[string]any{"openapi": "3.1.0", "info": map[string]any{"title": title, "version": "1"}, "paths": ps})
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/openapi.json" {
			w.Header().Set("Content-Type", "application/json")
			w.Write(doc)
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

const docsYAML = `
docs: {path: /docs, title: Shop API, version: 2.1.0}
services:
  orders: {urls: ["ORDERS"]}
  users: {urls: ["USERS"]}
routes:
  - {name: orders, prefix: /orders, version: v1, service: orders, strip_prefix: true}
  - {name: users, prefix: /people, service: users, rewrite: /users}
`

func docsGateway(t *testing.T) *httptest.Server {
	orders := specServer(t, "orders", "/", "/{id}")
	users := specServer(t, "users", "/users/{id}", "/internal/metrics")
	_, gw := start(t, replace(docsYAML, "ORDERS", orders.URL, "USERS", users.URL))
	return gw
}

func TestMergedOpenAPI(t *testing.T) {
	gw := docsGateway(t)
	res, _, raw := do(t, "GET", gw.URL+"/openapi.json", nil, "")
	if res.StatusCode != 200 {
		t.Fatalf("status = %d: %s", res.StatusCode, raw)
	}
	var doc struct {
		Info  map[string]string `json:"info"`
		Paths map[string]map[string]struct {
			Tags []string `json:"tags"`
		} `json:"paths"`
	}
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Info["title"] != "Shop API" || doc.Info["version"] != "2.1.0" {
		t.Errorf("info = %v, want the gateway's docs.title and docs.version", doc.Info)
	}
	want := map[string]string{"/v1/orders": "orders", "/v1/orders/{id}": "orders", "/people/{id}": "users"}
	for p, tag := range want {
		op, ok := doc.Paths[p]["get"]
		if !ok || len(op.Tags) != 1 || op.Tags[0] != tag {
			t.Errorf("path %s: %+v, want GET tagged %s", p, doc.Paths[p], tag)
		}
	}
	if len(doc.Paths) != len(want) {
		t.Errorf("paths = %v, want exactly %v (unrouted upstream paths hidden)", keys(doc.Paths), want)
	}
	for _, f := range []string{"/docs/", "/docs/swagger-ui-bundle.js", "/docs/swagger-ui.css", "/docs/init.js"} {
		if res, _, _ := do(t, "GET", gw.URL+f, nil, ""); res.StatusCode != 200 {
			t.Errorf("GET %s = %d, want 200 from the embedded files", f, res.StatusCode)
		}
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestDocsInChromium opens /docs in headless Chromium and checks that the
// operations of both services are rendered. It needs the Debian chromium
// package; without it the test skips, except under CI=true.
func TestDocsInChromium(t *testing.T) {
	fulltest.Require(t, "renders /docs in headless Chromium")
	bin, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium not installed; CI must install the Debian chromium package")
		}
		t.Skip("chromium not installed")
	}
	gw := docsGateway(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu",
		"--disable-background-networking", "--disable-extensions", "--disable-dev-shm-usage",
		"--no-first-run", "--user-data-dir="+t.TempDir(),
		"--virtual-time-budget=15000", "--dump-dom", gw.URL+"/docs/")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	dom := string(out)
	for _, p := range []string{"/v1/orders/{id}", "/people/{id}"} {
		// Swagger UI renders each operation's path in an opblock summary.
		if !strings.Contains(dom, fmt.Sprintf(`data-path="%s"`, p)) {
			t.Errorf("rendered docs lack the operation %s; DOM starts:\n%.2000s", p, dom)
		}
	}
	if !strings.Contains(dom, "opblock") {
		t.Error("Swagger UI did not render any operation block")
	}
}
