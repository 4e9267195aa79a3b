package gateway_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/gantrykit/gantry/internal/oascheck"
	httpt "github.com/gantrykit/gantry/transport/http"
)

type edgeItem struct {
	ID   string `path:"id" json:"-"`
	Name string `json:"name"`
}

// typedService serves a transport/http Mux and its document: GET and PUT
// /items/{id}, GET /items.
func typedService(t *testing.T) *httptest.Server {
	m := httpt.NewMux()
	get := func(context.Context, edgeItem) (edgeItem, error) { return edgeItem{}, nil }
	m.Handle("GET /items/{id}", httpt.NewServer(get, httpt.Named("get_item")))
	m.Handle("PUT /items/{id}", httpt.NewServer(get, httpt.Named("put_item")))
	m.Handle("GET /items", httpt.NewServer(func(context.Context, struct{}) ([]edgeItem, error) { return nil, nil }, httpt.Named("list_items")))
	m.Handle("GET /openapi.json", m.OpenAPIHandler(httpt.Info{Title: "items", Version: "1"}))
	s := httptest.NewServer(m)
	t.Cleanup(s.Close)
	return s
}

// foreignService serves a document of its own making, whose Problem and
// bearerAuth are not transport/http's, and whose operation declares its
// own security.
func foreignService(t *testing.T) *httptest.Server {
	doc := `{"openapi":"3.1.0","info":{"title":"legacy","version":"1"},
	  "paths":{"/legacy":{"get":{"operationId":"legacy","security":[{"bearerAuth":[]}],"responses":{"200":{"description":"OK"},
	    "500":{"description":"oops","content":{"application/problem+json":{"schema":{"$ref":"#/components/schemas/Problem"}}}}}}}},
	  "components":{"schemas":{"Problem":{"type":"object","properties":{"message":{"type":"string"}}}},
	    "securitySchemes":{"bearerAuth":{"type":"apiKey","in":"header","name":"X-Key"}}}}`
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(doc))
	}))
	t.Cleanup(s.Close)
	return s
}

// TestMergedDocumentHasTheEdgesAnswers: the merged document says what the
// gateway itself answers for each operation, from the route that serves
// it: the token a jwt route wants (and 401, 403), 429 on a rate-limited
// route, 413 where a body goes, 400 where a path has parameters, and
// 502/503/504 everywhere, all as transport/http's problem+json.
func TestMergedDocumentHasTheEdgesAnswers(t *testing.T) {
	items, legacy := typedService(t), foreignService(t)
	_, gw := start(t, replace(`
docs: {path: /docs}
auth: {alg: HS256, secret_env: JWT_SECRET, issuer: test, audience: gateway}
services:
  items: {urls: ["ITEMS"]}
  legacy: {urls: ["LEGACY"]}
routes:
  - {name: read, prefix: /items, methods: [GET], service: items}
  - {name: write, prefix: /items, methods: [PUT], service: items, auth: {mode: jwt, scopes: [items:write]}, rate_limit: {rps: 10}}
  - {name: legacy, prefix: /legacy, service: legacy, auth: {mode: jwt}}
`, "ITEMS", items.URL, "LEGACY", legacy.URL))
	_, _, raw := do(t, "GET", gw.URL+"/openapi.json", nil, "")
	if err := oascheck.Validate([]byte(raw)); err != nil {
		t.Fatalf("merged document is not valid OpenAPI 3.1: %v\n%s", err, raw)
	}
	var doc struct {
		Paths map[string]map[string]struct {
			Security  []map[string][]string `json:"security"`
			Responses map[string]struct {
				Content map[string]struct {
					Schema struct {
						Ref string `json:"$ref"`
					} `json:"schema"`
				} `json:"content"`
			} `json:"responses"`
		} `json:"paths"`
		Components struct {
			Schemas         map[string]json.RawMessage            `json:"schemas"`
			SecuritySchemes map[string]map[string]json.RawMessage `json:"securitySchemes"`
		} `json:"components"`
	}
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		method, path string
		security     string // scheme:scopes, "" for none (an explicit empty security)
		answers      []string
	}{
		// (500 and 504 are transport/http's own, 415 too where a body goes.)
		{"get", "/items/{id}", "", []string{"200", "400", "500", "502", "503", "504"}},
		{"get", "/items", "", []string{"200", "500", "502", "503", "504"}},
		{"put", "/items/{id}", "gateway.bearerAuth:items:write", []string{"200", "400", "401", "403", "413", "415", "429", "500", "502", "503", "504"}},
		{"get", "/legacy", "bearerAuth:", []string{"200", "401", "500", "502", "503", "504"}},
	} {
		op := doc.Paths[tt.path][tt.method]
		var sec []string
		for _, req := range op.Security {
			for name, scopes := range req {
				sec = append(sec, name+":"+strings.Join(scopes, " "))
			}
		}
		if strings.Join(sec, ",") != tt.security || (tt.security == "" && op.Security == nil) {
			t.Errorf("%s %s: security %v, want %q", tt.method, tt.path, op.Security, tt.security)
		}
		var got []string
		for code, r := range op.Responses {
			got = append(got, code)
			if ref := r.Content["application/problem+json"].Schema.Ref; code != "200" && tt.path != "/legacy" && ref != "#/components/schemas/Problem" {
				t.Errorf("%s %s: %s answer's schema %q, want transport/http's Problem", tt.method, tt.path, code, ref)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, tt.answers) {
			t.Errorf("%s %s: answers %v, want %v", tt.method, tt.path, got, tt.answers)
		}
	}
	// The legacy service keeps its own Problem (renamed by the merge) and
	// scheme; the gateway's are beside them, under names of their own.
	legacyOp := doc.Paths["/legacy"]["get"].Responses
	if own, edge := legacyOp["500"].Content["application/problem+json"].Schema.Ref, legacyOp["503"].Content["application/problem+json"].Schema.Ref; own != "#/components/schemas/legacy.Problem" || edge != "#/components/schemas/Problem" {
		t.Errorf("legacy's 500 and 503 schemas %q and %q, want its own legacy.Problem and transport/http's Problem", own, edge)
	}
	if string(doc.Components.SecuritySchemes["bearerAuth"]["type"]) != `"apiKey"` ||
		string(doc.Components.SecuritySchemes["gateway.bearerAuth"]["scheme"]) != `"bearer"` {
		t.Errorf("securitySchemes %v, want legacy's bearerAuth kept and the gateway's as gateway.bearerAuth", doc.Components.SecuritySchemes)
	}
}
