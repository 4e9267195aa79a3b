package main

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/gantrykit/gantry/examples/shop/gateway"
	"github.com/gantrykit/gantry/examples/shop/internal/shopauth"
	gw "github.com/gantrykit/gantry/gateway"
)

// TestGatewayRoutesMatchOperations holds the gateway's route table
// (gateway/routes.yaml) to the operations the services serve, as each
// service's own OpenAPI document lists them (built from its httpt.Ops): a
// route that names no operation of its service, or an operation no route
// reaches, is drift between the table and the code.
func TestGatewayRoutesMatchOperations(t *testing.T) {
	t.Parallel()
	cfg, err := gw.ParseConfig(gateway.Routes)
	if err != nil {
		t.Fatal(err)
	}
	s := testShop(t, "", nil)
	docs := map[string]map[string]map[string]any{} // service → path → method → operation
	for name, app := range map[string]interface{ HTTPAddr() string }{"user": s.User, "product": s.Product, "order": s.Order} {
		resp, err := http.Get("http://" + app.HTTPAddr() + "/openapi.json")
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Paths map[string]map[string]any `json:"paths"`
		}
		err = json.NewDecoder(resp.Body).Decode(&doc)
		resp.Body.Close()
		if err != nil || len(doc.Paths) == 0 {
			t.Fatalf("%s's document: %v, %d paths", name, err, len(doc.Paths))
		}
		docs[name] = doc.Paths
	}

	reached := map[string]bool{} // "service METHOD path"
	for _, r := range cfg.Routes {
		paths, ok := docs[r.Service]
		if !ok {
			t.Errorf("route %s: service %q has no document here", r.Name, r.Service)
			continue
		}
		found := false
		if r.Pattern != "" {
			method, path, _ := strings.Cut(r.Pattern, " ")
			if path == shopauth.JWKSPath {
				continue // the key set: a file the user service publishes, not an operation
			}
			if _, ok := paths[path][strings.ToLower(method)]; ok {
				found = true
				reached[r.Service+" "+method+" "+path] = true
			}
		}
		if r.Prefix != "" {
			for path, ops := range paths {
				if path != r.Prefix && !strings.HasPrefix(path, strings.TrimSuffix(r.Prefix, "/")+"/") {
					continue
				}
				for method := range ops {
					m := strings.ToUpper(method)
					if len(r.Methods) == 0 || slices.Contains(r.Methods, m) {
						found = true
						reached[r.Service+" "+m+" "+path] = true
					}
				}
			}
		}
		if !found {
			t.Errorf("route %s (%s%s %v) reaches no operation of %s's document", r.Name, r.Pattern, r.Prefix, r.Methods, r.Service)
		}
	}
	for service, paths := range docs {
		for path, ops := range paths {
			if path == "/openapi.json" {
				continue
			}
			for method := range ops {
				if k := service + " " + strings.ToUpper(method) + " " + path; !reached[k] {
					t.Errorf("%s's operation %s %s is reached by no gateway route", service, strings.ToUpper(method), path)
				}
			}
		}
	}
}
