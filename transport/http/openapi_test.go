package http_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	httpt "github.com/gantrykit/gantry/transport/http"
)

type treeNode struct {
	Name     string     `json:"name" validate:"required,max=20"`
	Children []treeNode `json:"children,omitempty"`
	Meta     map[string]int
	Raw      json.RawMessage `json:"raw,omitempty"`
}

type listReq struct {
	Limit int      `query:"limit" validate:"min=1,max=100"`
	Sort  string   `query:"sort" validate:"oneof=asc desc"`
	IDs   []string `query:"id"`
}

// openAPIMux registers typed routes of several shapes and one plain route.
func openAPIMux() *httpt.Mux {
	m := httpt.NewMux()
	m.Handle("POST /users/{user}/orders", httpt.NewServer(createEndpoint, httpt.WithStatus(http.StatusCreated),
		httpt.Summary("Create an order"), httpt.Tags("orders"), httpt.OperationID("createOrder")))
	m.Handle("GET /orders/{id}", httpt.NewServer(func(context.Context, getReq) (order, error) { return order{}, nil },
		httpt.Description("Reads one order."), httpt.Deprecated()))
	m.Handle("GET /orders", httpt.NewServer(func(context.Context, listReq) ([]order, error) { return nil, nil }))
	m.Handle("PUT /trees/{path...}", httpt.NewServer(func(context.Context, treeNode) (treeNode, error) { return treeNode{}, nil }))
	m.Handle("DELETE /orders/{id}", httpt.NewServer(func(context.Context, getReq) (struct{}, error) { return struct{}{}, nil },
		httpt.WithStatus(http.StatusNoContent)))
	m.HandleFunc("GET /plain", func(http.ResponseWriter, *http.Request) {})
	m.Handle("GET /openapi.json", m.OpenAPIHandler(httpt.Info{Title: "shop", Version: "1.2.3"}))
	return m
}

// doc is the served document as generic JSON, walked with get.
type doc = map[string]any

func get(v any, path ...string) any {
	for _, p := range path {
		switch x := v.(type) {
		case map[string]any:
			v = x[p]
		case []any:
			var i int
			for i = range x {
				if m, ok := x[i].(map[string]any); ok && m["name"] == p {
					break
				}
			}
			if i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

func fetchDoc(t *testing.T) doc {
	t.Helper()
	w := httptest.NewRecorder()
	openAPIMux().ServeHTTP(w, httptest.NewRequest("GET", "/openapi.json", nil))
	if w.Code != 200 || w.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("GET /openapi.json: %d %q", w.Code, w.Header().Get("Content-Type"))
	}
	var d doc
	if err := json.Unmarshal(w.Body.Bytes(), &d); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestOpenAPIRoutesAndSchemas(t *testing.T) {
	d := fetchDoc(t)
	const ref = "#/components/schemas/"
	tests := []struct {
		path []string
		want any
	}{
		{[]string{"openapi"}, "3.1.0"},
		{[]string{"info", "title"}, "shop"},
		{[]string{"info", "version"}, "1.2.3"},
		// POST with path, query and body.
		{[]string{"paths", "/users/{user}/orders", "post", "operationId"}, "createOrder"},
		{[]string{"paths", "/users/{user}/orders", "post", "summary"}, "Create an order"},
		{[]string{"paths", "/users/{user}/orders", "post", "parameters", "user", "in"}, "path"},
		{[]string{"paths", "/users/{user}/orders", "post", "parameters", "user", "required"}, true},
		{[]string{"paths", "/users/{user}/orders", "post", "parameters", "dry_run", "schema", "type"}, "boolean"},
		{[]string{"paths", "/users/{user}/orders", "post", "parameters", "tag", "schema", "type"}, "array"},
		{[]string{"paths", "/users/{user}/orders", "post", "parameters", "tag", "schema", "items", "type"}, "string"},
		{[]string{"paths", "/users/{user}/orders", "post", "parameters", "since", "schema", "format"}, "date-time"},
		{[]string{"paths", "/users/{user}/orders", "post", "parameters", "wait", "schema", "type"}, "string"},
		{[]string{"paths", "/users/{user}/orders", "post", "parameters", "limit", "schema", "maximum"}, 50.0},
		{[]string{"paths", "/users/{user}/orders", "post", "requestBody", "content", "application/json", "schema", "$ref"}, ref + "createOrder"},
		{[]string{"paths", "/users/{user}/orders", "post", "requestBody", "required"}, true},
		{[]string{"paths", "/users/{user}/orders", "post", "responses", "201", "content", "application/json", "schema", "$ref"}, ref + "order"},
		{[]string{"paths", "/users/{user}/orders", "post", "responses", "413", "content", "application/problem+json", "schema", "$ref"}, ref + "Problem"},
		{[]string{"paths", "/users/{user}/orders", "post", "responses", "415", "description"}, "Unsupported Media Type"},
		{[]string{"paths", "/users/{user}/orders", "post", "responses", "400", "content", "application/problem+json", "schema", "$ref"}, ref + "Problem"},
		// Request schema: body members only, with the validate hints.
		{[]string{"components", "schemas", "createOrder", "properties", "sku", "enum"}, []any{"A-1", "B-2"}},
		{[]string{"components", "schemas", "createOrder", "properties", "quantity", "type"}, "integer"},
		{[]string{"components", "schemas", "createOrder", "properties", "quantity", "minimum"}, 1.0},
		{[]string{"components", "schemas", "createOrder", "properties", "quantity", "maximum"}, 100.0},
		{[]string{"components", "schemas", "createOrder", "properties", "email", "format"}, "email"},
		{[]string{"components", "schemas", "createOrder", "properties", "lines", "maxItems"}, 3.0},
		{[]string{"components", "schemas", "createOrder", "properties", "lines", "items", "$ref"}, ref + "line"},
		{[]string{"components", "schemas", "createOrder", "required"}, []any{"sku"}},
		{[]string{"components", "schemas", "createOrder", "properties", "User"}, nil},
		{[]string{"components", "schemas", "line", "required"}, []any{"note"}},
		{[]string{"components", "schemas", "order", "properties", "since", "format"}, "date-time"},
		{[]string{"components", "schemas", "order", "properties", "limit", "minimum"}, 0.0},
		{[]string{"components", "schemas", "Problem", "required"}, []any{"title", "status", "code"}},
		// GET with a path parameter, no body.
		{[]string{"paths", "/orders/{id}", "get", "operationId"}, "getOrdersId"},
		{[]string{"paths", "/orders/{id}", "get", "deprecated"}, true},
		{[]string{"paths", "/orders/{id}", "get", "description"}, "Reads one order."},
		{[]string{"paths", "/orders/{id}", "get", "requestBody"}, nil},
		{[]string{"paths", "/orders/{id}", "get", "responses", "413"}, nil},
		{[]string{"paths", "/orders/{id}", "get", "responses", "200", "content", "application/json", "schema", "$ref"}, ref + "order"},
		// Query hints and array answers.
		{[]string{"paths", "/orders", "get", "parameters", "limit", "schema", "minimum"}, 1.0},
		{[]string{"paths", "/orders", "get", "parameters", "sort", "schema", "enum"}, []any{"asc", "desc"}},
		{[]string{"paths", "/orders", "get", "parameters", "id", "schema", "type"}, "array"},
		{[]string{"paths", "/orders", "get", "responses", "200", "content", "application/json", "schema", "items", "$ref"}, ref + "order"},
		// Recursive types, maps, a {path...} wildcard, and 204.
		// A type both received and sent: two components, since what the
		// server accepts (rules, additionalProperties) differs from what it
		// sends (required from the Go type, null where nil can be).
		{[]string{"paths", "/trees/{path}", "put", "requestBody", "content", "application/json", "schema", "$ref"}, ref + "treeNodeInput"},
		{[]string{"paths", "/trees/{path}", "put", "responses", "200", "content", "application/json", "schema", "$ref"}, ref + "treeNode"},
		{[]string{"components", "schemas", "treeNode", "properties", "children", "items", "$ref"}, ref + "treeNode"},
		{[]string{"components", "schemas", "treeNodeInput", "properties", "children", "items", "$ref"}, ref + "treeNodeInput"},
		{[]string{"components", "schemas", "treeNodeInput", "properties", "name", "maxLength"}, 20.0},
		{[]string{"components", "schemas", "treeNodeInput", "additionalProperties"}, false},
		{[]string{"components", "schemas", "treeNode", "properties", "name", "maxLength"}, nil},
		{[]string{"components", "schemas", "treeNode", "required"}, []any{"name", "Meta"}},
		{[]string{"components", "schemas", "treeNode", "properties", "Meta", "type"}, []any{"object", "null"}},
		{[]string{"components", "schemas", "treeNode", "properties", "Meta", "additionalProperties", "type"}, "integer"},
		{[]string{"paths", "/orders/{id}", "delete", "responses", "204", "content"}, nil},
		{[]string{"paths", "/orders/{id}", "delete", "responses", "204", "description"}, "No Content"},
		// Plain handlers are not operations.
		{[]string{"paths", "/plain"}, nil},
		{[]string{"paths", "/openapi.json"}, nil},
	}
	for _, tt := range tests {
		got := get(d, tt.path...)
		gb, _ := json.Marshal(got)
		wb, _ := json.Marshal(tt.want)
		if string(gb) != string(wb) {
			t.Errorf("%s = %s, want %s", strings.Join(tt.path, "."), gb, wb)
		}
	}
}

// TestOpenAPIStructure checks the rules of OpenAPI 3.1 a generator can
// break: every $ref resolves, operation IDs are unique, every path
// template variable has a required path parameter and vice versa, and
// every operation has responses.
func TestOpenAPIStructure(t *testing.T) {
	d := fetchDoc(t)
	schemas, _ := get(d, "components", "schemas").(map[string]any)
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if r, ok := x["$ref"].(string); ok {
				name, found := strings.CutPrefix(r, "#/components/schemas/")
				if !found || schemas[name] == nil {
					t.Errorf("$ref %q does not resolve", r)
				}
			}
			for _, e := range x {
				walk(e)
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(d)
	keyOK := regexp.MustCompile(`^[a-zA-Z0-9.\-_]+$`)
	for name := range schemas {
		if !keyOK.MatchString(name) {
			t.Errorf("component name %q is not allowed by OpenAPI", name)
		}
	}
	ids := map[string]bool{}
	vars := regexp.MustCompile(`\{([^}]+)\}`)
	paths, _ := d["paths"].(map[string]any)
	if len(paths) != 4 {
		t.Errorf("paths = %d, want 4 (the typed routes)", len(paths))
	}
	for path, item := range paths {
		for method, o := range item.(map[string]any) {
			op := o.(map[string]any)
			id, _ := op["operationId"].(string)
			if id == "" || ids[id] {
				t.Errorf("%s %s: operationId %q is empty or repeated", method, path, id)
			}
			ids[id] = true
			if r, _ := op["responses"].(map[string]any); len(r) == 0 {
				t.Errorf("%s %s: no responses", method, path)
			}
			var inPath []string
			params, _ := op["parameters"].([]any)
			for _, p := range params {
				pm := p.(map[string]any)
				if pm["in"] == "path" {
					if pm["required"] != true {
						t.Errorf("%s %s: path parameter %v not required", method, path, pm["name"])
					}
					inPath = append(inPath, pm["name"].(string))
				}
			}
			var want []string
			for _, m := range vars.FindAllStringSubmatch(path, -1) {
				want = append(want, m[1])
			}
			slices.Sort(inPath)
			slices.Sort(want)
			if !slices.Equal(inPath, want) {
				t.Errorf("%s %s: path parameters %v, want %v", method, path, inPath, want)
			}
		}
	}
}

func TestMuxRejectsMissingWildcard(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "{id}") {
			t.Errorf("recover() = %v, want a panic naming {id}", r)
		}
	}()
	httpt.NewMux().Handle("GET /orders", httpt.NewServer(func(context.Context, getReq) (order, error) { return order{}, nil }))
}
