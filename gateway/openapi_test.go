package gateway

import (
	"context"
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/gantrykit/gantry/internal/oascheck"
	httpt "github.com/gantrykit/gantry/transport/http"
)

const schemaRef = "#/components/schemas/"

// refTo is a schema that refers to the component name.
func refTo(name string) map[string]any { return map[string]any{"$ref": schemaRef + name} }

// objectSchema is an object schema with the given properties.
func objectSchema(props map[string]any) map[string]any {
	return map[string]any{"type": "object", "properties": props}
}

// svcSpec is a service document: GET path answers schema, plus schemas.
func svcSpec(path string, answer any, schemas map[string]any) map[string]any {
	return map[string]any{
		"openapi": "3.1.0",
		"info":    map[string]any{"title": "svc", "version": "1"},
		"paths": map[string]any{path: map[string]any{"get": map[string]any{
			"responses": map[string]any{"200": map[string]any{"description": "OK",
				"content": map[string]any{"application/json": map[string]any{"schema": answer}}}},
		}}},
		"components": map[string]any{"schemas": schemas},
	}
}

// answerOf is the schema GET path answers with in the merged document doc.
func answerOf(doc map[string]any, path string) any {
	var v any = doc
	for _, k := range []string{"paths", path, "get", "responses", "200", "content", "application/json", "schema"} {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	return v
}

// jsonClone deep-copies decoded JSON.
func jsonClone(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func prefixRoute(service, prefix string) RouteConfig {
	return RouteConfig{Name: service + prefix, Service: service, Prefix: prefix}
}

func TestMergeSpecsSchemas(t *testing.T) {
	str := map[string]any{"type": "string"}
	userItem := objectSchema(map[string]any{"name": str})
	orderItem := objectSchema(map[string]any{"sku": str, "quantity": map[string]any{"type": "integer"}})
	errSchema := objectSchema(map[string]any{"message": str})
	// nested refers to Item in every place a schema may hold another one.
	nested := map[string]any{
		"type":                 "object",
		"properties":           map[string]any{"lines": map[string]any{"type": "array", "items": refTo("Item")}, "err": refTo("Error")},
		"additionalProperties": refTo("Item"),
		"allOf":                []any{refTo("Item")},
		"oneOf":                []any{refTo("Item"), map[string]any{"$ref": schemaRef + "Item/properties/sku"}},
		"anyOf":                []any{map[string]any{"not": refTo("Item")}},
		"discriminator":        map[string]any{"propertyName": "kind", "mapping": map[string]any{"a": schemaRef + "Item", "b": "Item", "c": "Error"}},
	}
	nestedRenamed := jsonClone(t, nested).(map[string]any)
	nestedRenamed["properties"].(map[string]any)["lines"].(map[string]any)["items"] = refTo("orders.Item")
	nestedRenamed["additionalProperties"] = refTo("orders.Item")
	nestedRenamed["allOf"] = []any{refTo("orders.Item")}
	nestedRenamed["oneOf"] = []any{refTo("orders.Item"), map[string]any{"$ref": schemaRef + "orders.Item/properties/sku"}}
	nestedRenamed["anyOf"] = []any{map[string]any{"not": refTo("orders.Item")}}
	nestedRenamed["discriminator"].(map[string]any)["mapping"] = map[string]any{"a": schemaRef + "orders.Item", "b": "orders.Item", "c": "Error"}

	tests := []struct {
		name    string
		routes  []RouteConfig
		specs   map[string]map[string]any
		schemas map[string]any    // the merged components.schemas
		answers map[string]string // public path: the $ref its GET answers with
	}{{
		name:   "identical schemas shared",
		routes: []RouteConfig{prefixRoute("users", "/users"), prefixRoute("orders", "/orders")},
		specs: map[string]map[string]any{
			"users":  svcSpec("/users", refTo("Item"), map[string]any{"Item": userItem, "Error": errSchema}),
			"orders": svcSpec("/orders", refTo("Item"), map[string]any{"Item": jsonClone(t, userItem), "Error": jsonClone(t, errSchema)}),
		},
		schemas: map[string]any{"Item": userItem, "Error": errSchema},
		answers: map[string]string{"/users": "Item", "/orders": "Item"},
	}, {
		name:   "differing schema qualified, refs rewritten in paths and nested schemas",
		routes: []RouteConfig{prefixRoute("users", "/users"), prefixRoute("orders", "/orders")},
		specs: map[string]map[string]any{
			"users":  svcSpec("/users", refTo("Item"), map[string]any{"Item": userItem, "Error": errSchema}),
			"orders": svcSpec("/orders", refTo("Item"), map[string]any{"Item": orderItem, "Error": errSchema, "Order": nested}),
		},
		schemas: map[string]any{"Item": userItem, "Error": errSchema, "orders.Item": orderItem, "Order": nestedRenamed},
		answers: map[string]string{"/users": "Item", "/orders": "orders.Item"},
	}, {
		name:   "equal schema referring to a renamed one is renamed too, whatever the name order",
		routes: []RouteConfig{prefixRoute("users", "/users"), prefixRoute("orders", "/orders")},
		specs: map[string]map[string]any{
			"users":  svcSpec("/users", refTo("Bag"), map[string]any{"Item": userItem, "Bag": map[string]any{"type": "array", "items": refTo("Item")}}),
			"orders": svcSpec("/orders", refTo("Bag"), map[string]any{"Item": orderItem, "Bag": map[string]any{"type": "array", "items": refTo("Item")}}),
		},
		schemas: map[string]any{
			"Item": userItem, "Bag": map[string]any{"type": "array", "items": refTo("Item")},
			"orders.Item": orderItem, "orders.Bag": map[string]any{"type": "array", "items": refTo("orders.Item")},
		},
		answers: map[string]string{"/users": "Bag", "/orders": "orders.Bag"},
	}, {
		name:   "qualified name taken by a merged schema and by the service's own",
		routes: []RouteConfig{prefixRoute("users", "/users"), prefixRoute("orders", "/orders")},
		specs: map[string]map[string]any{
			"users":  svcSpec("/users", refTo("orders.Item"), map[string]any{"Item": userItem, "orders.Item": errSchema}),
			"orders": svcSpec("/orders", refTo("Item"), map[string]any{"Item": orderItem, "orders.Item_2": str}),
		},
		schemas: map[string]any{"Item": userItem, "orders.Item": errSchema, "orders.Item_2": str, "orders.Item_3": orderItem},
		answers: map[string]string{"/users": "orders.Item", "/orders": "orders.Item_3"},
	}, {
		name:   "service behind two routes qualified once",
		routes: []RouteConfig{prefixRoute("orders", "/orders"), prefixRoute("users", "/users"), {Name: "v2", Service: "orders", Prefix: "/orders", Version: "v2", StripPrefix: true}},
		specs: map[string]map[string]any{
			"orders": svcSpec("/orders", refTo("Item"), map[string]any{"Item": orderItem}),
			"users":  svcSpec("/users", refTo("Item"), map[string]any{"Item": userItem}),
		},
		schemas: map[string]any{"Item": orderItem, "users.Item": userItem},
		answers: map[string]string{"/orders": "Item", "/v2/orders/orders": "Item", "/users": "users.Item"},
	}, {
		name:   "later service behind two routes qualified once",
		routes: []RouteConfig{prefixRoute("users", "/users"), prefixRoute("orders", "/orders"), {Name: "v2", Service: "orders", Prefix: "/orders", Version: "v2", StripPrefix: true}},
		specs: map[string]map[string]any{
			"orders": svcSpec("/orders", refTo("Item"), map[string]any{"Item": orderItem}),
			"users":  svcSpec("/users", refTo("Item"), map[string]any{"Item": userItem}),
		},
		schemas: map[string]any{"Item": userItem, "orders.Item": orderItem},
		answers: map[string]string{"/orders": "orders.Item", "/v2/orders/orders": "orders.Item", "/users": "Item"},
	}, {
		name:   "service name sanitized, clashes numbered in name order",
		routes: []RouteConfig{prefixRoute("users", "/users"), prefixRoute("order svc/ü", "/orders")},
		specs: map[string]map[string]any{
			"users":       svcSpec("/users", refTo("a b"), map[string]any{"a b": userItem, "a/b": userItem}),
			"order svc/ü": svcSpec("/orders", refTo("a~1b"), map[string]any{"a b": orderItem, "a/b": errSchema}),
		},
		schemas: map[string]any{"a b": userItem, "a/b": userItem, "order_svc__.a_b": orderItem, "order_svc__.a_b_2": errSchema},
		answers: map[string]string{"/users": "a b", "/orders": "order_svc__.a_b_2"},
	}, {
		name:   "escaped and percent-encoded names",
		routes: []RouteConfig{prefixRoute("users", "/users"), prefixRoute("orders", "/orders")},
		specs: map[string]map[string]any{
			"users": svcSpec("/users", refTo("x~y"), map[string]any{"x~y": userItem, "a/b": userItem}),
			"orders": svcSpec("/orders", refTo("x~0y"), map[string]any{"x~y": orderItem, "a/b": errSchema, "c": objectSchema(map[string]any{
				"p": refTo("a%2Fb"), "q": refTo("a~1b%2Fproperties"), "r": refTo("x~01"), "s": refTo("a/b"), "t": refTo("%zz"),
			})}),
		},
		schemas: map[string]any{"x~y": userItem, "a/b": userItem, "orders.x_y": orderItem, "orders.a_b": errSchema, "c": objectSchema(map[string]any{
			// a%2Fb is the pointer /a/b, not the name a/b; x~01 names "x~1"; a/b is the pointer /a/b.
			"p": refTo("a%2Fb"), "q": refTo("orders.a_b%2Fproperties"), "r": refTo("x~01"), "s": refTo("a/b"), "t": refTo("%zz"),
		})},
		answers: map[string]string{"/users": "x~y", "/orders": "orders.x_y"},
	}, {
		name:   "missing spec and spec without schemas",
		routes: []RouteConfig{prefixRoute("gone", "/gone"), prefixRoute("users", "/users"), prefixRoute("bare", "/bare")},
		specs: map[string]map[string]any{
			"gone":  nil,
			"users": svcSpec("/users", refTo("Item"), map[string]any{"Item": userItem}),
			"bare":  {"paths": map[string]any{"/bare": map[string]any{"get": map[string]any{}}}},
		},
		schemas: map[string]any{"Item": userItem},
		answers: map[string]string{"/users": "Item"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := mergeStable(t, tt.routes, tt.specs)
			got, _ := doc["components"].(map[string]any)["schemas"]
			if !reflect.DeepEqual(got, tt.schemas) {
				t.Fatalf("schemas:\ngot  %v\nwant %v", got, tt.schemas)
			}
			for path, want := range tt.answers {
				if got := answerOf(doc, path); !reflect.DeepEqual(got, refTo(want)) {
					t.Errorf("GET %s answers %v, want %v", path, got, refTo(want))
				}
			}
		})
	}
}

// mergeStable merges specs as mergeSpecs does, checking that the document
// is the same in every run (map order varies between runs), that specs is
// not modified, and, if each spec's operationIds are unique, that the
// merged document's are too.
func mergeStable(t *testing.T, routes []RouteConfig, specs map[string]map[string]any) map[string]any {
	t.Helper()
	before := jsonClone(t, specs)
	var doc map[string]any
	var first []byte
	for range 5 {
		doc = mergeSpecs(routes, specs)
		b, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = b
		} else if string(b) != string(first) {
			t.Fatalf("documents differ between runs:\ngot  %s\nwant %s", b, first)
		}
	}
	if after := jsonClone(t, specs); !reflect.DeepEqual(after, before) {
		t.Errorf("input specs modified:\ngot  %v\nwant %v", after, before)
	}
	for _, spec := range specs {
		if len(dupOpIDs(spec)) > 0 {
			return doc // the merged document cannot be better
		}
	}
	if dups := dupOpIDs(doc); len(dups) > 0 {
		t.Errorf("operationIds used more than once in the merged document: %q", dups)
	}
	return doc
}

// genSpec is the document transport/http generates for mux.
func genSpec(t *testing.T, mux *httpt.Mux, title string) map[string]any {
	t.Helper()
	b, err := mux.OpenAPI(httpt.Info{Title: title, Version: "1.0.0"})
	if err != nil {
		t.Fatal(err)
	}
	var spec map[string]any
	if err := json.Unmarshal(b, &spec); err != nil {
		t.Fatal(err)
	}
	return spec
}

func usersMux() *httpt.Mux {
	type item struct {
		Name  string `json:"name"`
		Email string `json:"email"`
	}
	type byID struct {
		ID string `path:"id"`
	}
	m := httpt.NewMux()
	m.Handle("GET /users/{id}", httpt.NewServer(func(context.Context, byID) (item, error) { return item{}, nil }))
	m.Handle("GET /users", httpt.NewServer(func(context.Context, struct{}) ([]item, error) { return nil, nil }))
	return m
}

func ordersMux() *httpt.Mux {
	type item struct {
		SKU      string `json:"sku"`
		Quantity int    `json:"quantity" validate:"min=1"`
	}
	type order struct {
		ID    string `json:"id"`
		Items []item `json:"items"`
	}
	type byID struct {
		ID string `path:"id"`
	}
	m := httpt.NewMux()
	m.Handle("GET /{id}", httpt.NewServer(func(context.Context, byID) (order, error) { return order{}, nil }))
	m.Handle("POST /{id}/items", httpt.NewServer(func(context.Context, item) (order, error) { return order{}, nil }))
	return m
}

// TestMergeSpecsGenerated merges the documents gantry generates for two
// services that both have an "item" (and the same "Problem"): the result
// passes the official OpenAPI 3.1 schema, every reference resolves, and
// each service's operations point at its own item.
func TestMergeSpecsGenerated(t *testing.T) {
	users, orders := genSpec(t, usersMux(), "users"), genSpec(t, ordersMux(), "orders")
	routes := []RouteConfig{
		{Name: "users", Service: "users", Prefix: "/users"},
		{Name: "orders", Service: "orders", Prefix: "/orders", Version: "v1", StripPrefix: true},
	}
	doc := mergeStable(t, routes, map[string]map[string]any{"users": users, "orders": orders})
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	if err := oascheck.Validate(b); err != nil {
		t.Fatalf("merged document is not valid OpenAPI 3.1: %v\n%s", err, b)
	}
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	for _, r := range refsIn(doc) {
		name, ok := strings.CutPrefix(r, schemaRef)
		if _, found := schemas[name]; !ok || !found {
			t.Errorf("$ref %q does not resolve; schemas: %v", r, slices.Sorted(maps.Keys(schemas)))
		}
	}
	own := func(spec map[string]any, name string) any { return jsonAt(spec, "components", "schemas", name) }
	checks := []struct {
		what      string
		got, want any
	}{
		{"users' item", schemas["item"], own(users, "item")},
		{"orders' item", schemas["orders.item"], own(orders, "item")},
		{"shared Problem", schemas["Problem"], own(users, "Problem")},
		{"orders' Problem", own(orders, "Problem"), own(users, "Problem")},
		{"orders' order items", jsonAt(schemas, "order", "properties", "items", "items"), refTo("orders.item")},
		{"GET /users/{id}", answerOf(doc, "/users/{id}"), refTo("item")},
		{"GET /v1/orders/{id}", answerOf(doc, "/v1/orders/{id}"), refTo("order")},
		// What orders accepts as an item differs from what it sends
		// (transport/http's request and answer schemas): its own component.
		{"POST /v1/orders/{id}/items body", jsonAt(doc, "paths", "/v1/orders/{id}/items", "post", "requestBody", "content", "application/json", "schema"), refTo("itemInput")},
		{"orders' itemInput", schemas["itemInput"], own(orders, "itemInput")},
	}
	for _, c := range checks {
		if c.want == nil || !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s: got %v, want %v", c.what, c.got, c.want)
		}
	}
	if len(schemas) != 5 {
		t.Errorf("schemas: got %v, want Problem, item, itemInput, order, orders.item", slices.Sorted(maps.Keys(schemas)))
	}
}

// jsonAt walks decoded JSON along keys.
func jsonAt(v any, keys ...string) any {
	for _, k := range keys {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	return v
}

// refsIn lists every "$ref" value in v.
func refsIn(v any) []string {
	var out []string
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if s, ok := e.(string); ok && k == "$ref" {
				out = append(out, s)
			}
			out = append(out, refsIn(e)...)
		}
	case []any:
		for _, e := range v {
			out = append(out, refsIn(e)...)
		}
	}
	return out
}
