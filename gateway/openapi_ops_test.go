package gateway

import (
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// op is an operation with the given operationId and a 200 response,
// plus the extra members given as alternating keys and values.
func op(id string, kv ...any) map[string]any {
	return obj(append([]any{"operationId", id, "responses", obj("200", obj("description", "OK"))}, kv...)...)
}

// linked is op with a 200 response that has links.
func linked(id string, links map[string]any) map[string]any {
	return op(id, "responses", obj("200", obj("description", "OK", "links", links)))
}

// doc is a service document with paths and components.
func doc(paths, comps map[string]any) map[string]any {
	return obj("openapi", "3.1.0", "info", obj("title", "t", "version", "1"), "paths", paths, "components", comps)
}

// idAt is the place of the operationId of the operation or link at keys.
func idAt(keys ...string) []string { return append(keys, "operationId") }

func TestMergeSpecsOperationIDs(t *testing.T) {
	twoServices := []RouteConfig{prefixRoute("users", "/users"), prefixRoute("orders", "/orders")}
	twoVersions := []RouteConfig{
		prefixRoute("users", "/users"),
		{Name: "orders", Service: "orders", Prefix: "/orders", Version: "v1", StripPrefix: true},
		{Name: "orders v2", Service: "orders", Prefix: "/orders", Version: "v2", StripPrefix: true},
	}
	hook := func(id string) map[string]any { return obj("{$request.body#/url}", obj("post", op(id))) }

	// chain's operation at /orders/<i> has the id its predecessor's gets
	// once renamed, the first clashing with users' x.
	chain, chainChecks := obj("/orders/y", obj("post", op("orders.y"), "get", op("y"))), []check(nil)
	for i, id := 0, "x"; i < 12; i, id = i+1, "orders."+id {
		path := "/orders/" + string(rune('a'+i))
		chain[path] = obj("get", op(id))
		chainChecks = append(chainChecks, check{idAt("paths", path, "get"), "orders." + id})
	}

	tests := []struct {
		name   string
		routes []RouteConfig
		specs  map[string]map[string]any
		checks []check
	}{{
		name:   "clashing ids across two services: the first keeps its id",
		routes: twoServices,
		specs: map[string]map[string]any{
			"users":  doc(obj("/users/{id}", obj("get", op("getItem"), "delete", op("deleteItem")), "/users", obj("get", op("listItems"))), nil),
			"orders": doc(obj("/orders/{id}", obj("get", op("getItem"), "put", op("putItem")), "/orders", obj("get", op("listItems"))), nil),
		},
		checks: []check{
			{idAt("paths", "/users/{id}", "get"), "getItem"},
			{idAt("paths", "/users/{id}", "delete"), "deleteItem"},
			{idAt("paths", "/users", "get"), "listItems"},
			{idAt("paths", "/orders/{id}", "get"), "orders.getItem"},
			{idAt("paths", "/orders/{id}", "put"), "putItem"},
			{idAt("paths", "/orders", "get"), "orders.listItems"},
		},
	}, {
		name:   "qualified id numbered when taken, service name sanitized",
		routes: []RouteConfig{prefixRoute("users", "/users"), prefixRoute("order svc", "/orders")},
		specs: map[string]map[string]any{
			"users": doc(obj("/users/a", obj("get", op("x")), "/users/b", obj("get", op("order_svc.x")),
				"/users/c", obj("get", op("order_svc.x_2"))), nil),
			"order svc": doc(obj("/orders", obj("get", op("x"))), nil),
		},
		checks: []check{
			{idAt("paths", "/users/b", "get"), "order_svc.x"},
			{idAt("paths", "/orders", "get"), "order_svc.x_3"},
		},
	}, {
		name:   "ids handed out in route, path and method order, not map order",
		routes: twoServices,
		specs: map[string]map[string]any{
			"users":  doc(obj("/users", obj("get", op("x"), "post", op("y"))), nil),
			"orders": doc(chain, nil),
		},
		checks: append(chainChecks,
			check{idAt("paths", "/orders/y", "get"), "orders.y"},
			check{idAt("paths", "/orders/y", "post"), "orders.orders.y"}),
	}, {
		name:   "the same operation under two routes: the later copy is qualified by its route",
		routes: twoVersions,
		specs: map[string]map[string]any{
			"users": doc(obj("/users", obj("get", op("getOrder"))), nil),
			"orders": doc(obj("/{id}", obj("get", linked("getOrder", obj("self", obj("operationId", "getOrder")))),
				"/{id}/items", obj("post", op("addItem", "callbacks", obj("done", hook("itemAdded"))))), nil),
		},
		checks: []check{
			{idAt("paths", "/users", "get"), "getOrder"},
			{idAt("paths", "/v1/orders/{id}", "get"), "orders.getOrder"},
			{idAt("paths", "/v2/orders/{id}", "get"), "orders_v2.getOrder"},
			{idAt("paths", "/v1/orders/{id}/items", "post"), "addItem"},
			{idAt("paths", "/v2/orders/{id}/items", "post"), "orders_v2.addItem"},
			{idAt("paths", "/v1/orders/{id}/items", "post", "callbacks", "done", "{$request.body#/url}", "post"), "itemAdded"},
			{idAt("paths", "/v2/orders/{id}/items", "post", "callbacks", "done", "{$request.body#/url}", "post"), "orders_v2.itemAdded"},
			// Both copies link to the operation's first exposure.
			{idAt("paths", "/v1/orders/{id}", "get", "responses", "200", "links", "self"), "orders.getOrder"},
			{idAt("paths", "/v2/orders/{id}", "get", "responses", "200", "links", "self"), "orders.getOrder"},
		},
	}, {
		name:   "a path item component under two routes is copied for the later one",
		routes: twoVersions,
		specs: map[string]map[string]any{
			"users": doc(obj("/users", obj("get", op("getOrder"))), nil),
			"orders": doc(obj("/{id}", obj("$ref", "#/components/pathItems/Order", "summary", "one order")),
				obj("pathItems", obj("Order", obj("get", op("getOrder"), "parameters", list(ref("parameters", "ID")))),
					"parameters", obj("ID", obj("name", "id", "in", "path", "required", true)))),
		},
		checks: []check{
			{at("paths", "/v1/orders/{id}"), obj("$ref", "#/components/pathItems/Order", "summary", "one order")},
			{idAt("components", "pathItems", "Order", "get"), "orders.getOrder"},
			{idAt("paths", "/v2/orders/{id}", "get"), "orders_v2.getOrder"},
			{at("paths", "/v2/orders/{id}", "summary"), "one order"},
			{at("paths", "/v2/orders/{id}", "parameters"), list(ref("parameters", "ID"))},
		},
	}, {
		name: "links follow renamed operations, public paths and renamed components",
		routes: []RouteConfig{prefixRoute("users", "/users"),
			{Name: "orders", Service: "orders", Prefix: "/orders", Rewrite: "/api/orders"}},
		specs: map[string]map[string]any{
			"users": doc(obj("/users/{id}", obj("get", linked("getItem", obj("next", ref("links", "Next"))))), obj(
				"links", obj("Next", obj("operationId", "getItem")),
				"pathItems", obj("Item", obj("get", op("item"))))),
			"orders": doc(obj(
				"/api/orders/{id}", obj("get", linked("getItem", obj(
					"byId", obj("operationId", "getItem"),
					"byRef", obj("operationRef", "#/paths/~1api~1orders~1{id}/get"),
					"next", ref("links", "Next"),
					"other", obj("operationId", "unknown"),
					"remote", obj("operationRef", "https://example.com/a.json#/paths/~1api~1orders~1{id}/get"),
				))),
				"/api/orders", obj("post", linked("createItem", obj(
					"created", obj("operationRef", "#/paths/~1api~1orders~1%7Bid%7D/get"),
					"item", obj("operationRef", "#/components/pathItems/Item/get"),
				))),
				"/internal", obj("get", op("internal")),
			), obj(
				"links", obj("Next", obj("operationId", "getItem")),
				"pathItems", obj("Item", obj("get", op("item"))))),
		},
		checks: []check{
			{idAt("paths", "/orders/{id}", "get"), "orders.getItem"},
			{idAt("paths", "/orders/{id}", "get", "responses", "200", "links", "byId"), "orders.getItem"},
			{at("paths", "/orders/{id}", "get", "responses", "200", "links", "byRef", "operationRef"), "#/paths/~1orders~1%7Bid%7D/get"},
			{at("paths", "/orders/{id}", "get", "responses", "200", "links", "next"), ref("links", "orders.Next")},
			{idAt("paths", "/orders/{id}", "get", "responses", "200", "links", "other"), "unknown"},
			{at("paths", "/orders/{id}", "get", "responses", "200", "links", "remote", "operationRef"), "https://example.com/a.json#/paths/~1api~1orders~1{id}/get"},
			{at("paths", "/orders", "post", "responses", "200", "links", "created", "operationRef"), "#/paths/~1orders~1%7Bid%7D/get"},
			{at("paths", "/orders", "post", "responses", "200", "links", "item", "operationRef"), "#/components/pathItems/orders.Item/get"},
			{at("paths", "/users/{id}", "get", "responses", "200", "links", "next"), ref("links", "Next")},
			{idAt("components", "links", "Next"), "getItem"},
			{idAt("components", "links", "orders.Next"), "orders.getItem"},
			{idAt("components", "pathItems", "Item", "get"), "item"},
			{idAt("components", "pathItems", "orders.Item", "get"), "orders.item"},
		},
	}, {
		name:   "operations of equal path item and callback components are not shared",
		routes: twoServices,
		specs: map[string]map[string]any{
			"users": doc(obj("/users", obj("post", op("hook", "callbacks", obj("done", ref("callbacks", "Done"))))),
				obj("callbacks", obj("Done", hook("done")))),
			"orders": doc(obj("/orders", obj("post", op("orderHook", "callbacks", obj("done", ref("callbacks", "Done"))))),
				obj("callbacks", obj("Done", hook("done")))),
		},
		checks: []check{
			{at("paths", "/orders", "post", "callbacks", "done"), ref("callbacks", "orders.Done")},
			{idAt("components", "callbacks", "Done", "{$request.body#/url}", "post"), "done"},
			{idAt("components", "callbacks", "orders.Done", "{$request.body#/url}", "post"), "orders.done"},
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := mergeStable(t, tt.routes, tt.specs)
			for _, c := range tt.checks {
				if got := jsonAt(doc, c.at...); !reflect.DeepEqual(got, c.want) {
					t.Errorf("%s: got %v, want %v", strings.Join(c.at, " "), got, c.want)
				}
			}
			if dups := dupOpIDs(doc); len(dups) > 0 {
				t.Errorf("operationIds used more than once: got %q, want none", dups)
			}
			checkResolves(t, doc)
		})
	}
}

// dupOpIDs lists, sorted, the string operationIds that more than one
// operation of doc has: operations of its paths, its path item and callback
// components, and those operations' callbacks. A path of paths that refers
// to a path item component counts the component's operations as its own,
// and the component counts only if no path refers to it.
func dupOpIDs(doc map[string]any) []string {
	seen := map[string]int{}
	var item func(v any)
	callback := func(v any) {
		cb, _ := v.(map[string]any)
		for _, it := range cb {
			item(it)
		}
	}
	item = func(v any) {
		m, _ := v.(map[string]any)
		for _, method := range []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"} {
			o, _ := m[method].(map[string]any)
			if id, ok := o["operationId"].(string); ok {
				seen[id]++
			}
			cbs, _ := o["callbacks"].(map[string]any)
			for _, cb := range cbs {
				callback(cb)
			}
		}
	}
	referred := map[string]bool{}
	for _, it := range asMap(doc["paths"]) {
		if r, ok := asMap(it)["$ref"].(string); ok {
			if comp, ok := resolve(doc, r); ok && strings.HasPrefix(r, "#/components/pathItems/") {
				referred[r] = true
				it = comp
			}
		}
		item(it)
	}
	for name, it := range asMap(jsonAt(doc, "components", "pathItems")) {
		if !referred["#/components/pathItems/"+name] {
			item(it)
		}
	}
	for _, cb := range asMap(jsonAt(doc, "components", "callbacks")) {
		callback(cb)
	}
	var dups []string
	for _, id := range slices.Sorted(maps.Keys(seen)) {
		if seen[id] > 1 {
			dups = append(dups, id)
		}
	}
	return dups
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// stringsAt lists every string value of a member named key in v.
func stringsAt(v any, key string) []string {
	var out []string
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if s, ok := e.(string); ok && k == key {
				out = append(out, s)
			}
			out = append(out, stringsAt(e, key)...)
		}
	case []any:
		for _, e := range v {
			out = append(out, stringsAt(e, key)...)
		}
	}
	return out
}

func TestRenamePointer(t *testing.T) {
	ren := renames{
		pathKey:     {"/api/items/{id}": "/v1/items/{id}", "/a~b": "/x/a~b", "/": "/root"},
		"pathItems": {"Item": "s.Item"},
	}
	tests := map[string]string{
		"#/paths/~1api~1items~1{id}/get":                "#/paths/~1v1~1items~1%7Bid%7D/get",
		"#/paths/~1api~1items~1%7Bid%7D/get/responses":  "#/paths/~1v1~1items~1%7Bid%7D/get/responses",
		"#/paths/~1api~1items~1{id}":                    "#/paths/~1v1~1items~1%7Bid%7D",
		"#/paths/~1a~0b/post":                           "#/paths/~1x~1a~0b/post",
		"#/paths/~1/get":                                "#/paths/~1root/get",
		"#/paths/~1api~1items/get":                      "#/paths/~1api~1items/get",
		"#/paths/~1api%2Fitems~1{id}/get":               "#/paths/~1api%2Fitems~1{id}/get",
		"#/paths/":                                      "#/paths/",
		"#/paths":                                       "#/paths",
		"#/pathsx/~1/get":                               "#/pathsx/~1/get",
		"other.json#/paths/~1api~1items~1{id}/get":      "other.json#/paths/~1api~1items~1{id}/get",
		"#/components/pathItems/Item/get":               "#/components/pathItems/s.Item/get",
		"#/components/pathItems/~1api~1items~1{id}/get": "#/components/pathItems/~1api~1items~1{id}/get",
	}
	for in, want := range tests {
		if got, changed := renamePointer(in, ren); got != want || changed != (in != want) {
			t.Errorf("renamePointer(%q) = %q, %v; want %q, %v", in, got, changed, want, in != want)
		}
	}
}
