package gateway

import (
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// ref is a reference to the component kind/name, with a pointer below it
// if more is given.
func ref(kind, name string, more ...string) map[string]any {
	return map[string]any{"$ref": "#/components/" + kind + "/" + name + strings.Join(more, "")}
}

// obj is an object built from alternating keys and values.
func obj(kv ...any) map[string]any {
	m := map[string]any{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

// list is a JSON array, never nil, as decoding "[]" gives.
func list(v ...any) []any { return append([]any{}, v...) }

// jsonBody is a media type map with one application/json schema.
func jsonBody(schema any) map[string]any {
	return obj("application/json", obj("schema", schema))
}

// check is a value expected at a place in the merged document.
type check struct {
	at   []string
	want any
}

func at(keys ...string) []string { return keys }

func TestMergeSpecsComponents(t *testing.T) {
	str, ok := obj("type", "string"), obj("description", "OK")
	notFound := obj("description", "no such thing")
	limit := obj("name", "limit", "in", "query", "schema", obj("type", "integer"))
	bearer := obj("type", "http", "scheme", "bearer", "bearerFormat", "JWT")
	twoServices := []RouteConfig{prefixRoute("users", "/users"), prefixRoute("orders", "/orders")}

	// clashing: both services use the same names; Error, ID and apiKey differ.
	clashing := func(errDesc, idIn, keyName string) map[string]any {
		return obj("openapi", "3.1.0", "info", obj("title", "t", "version", "1"),
			"paths", obj("/"+idIn, obj("get", obj(
				"parameters", list(ref("parameters", "limit"), ref("parameters", "ID")),
				"responses", obj("200", ok, "404", ref("responses", "NotFound"), "500", ref("responses", "Error")),
				"security", list(obj("bearer", list()), obj("apiKey", list())),
			))),
			"components", obj(
				"responses", obj("NotFound", notFound, "Error", obj("description", errDesc)),
				"parameters", obj("limit", limit, "ID", obj("name", "id", "in", "header", "schema", obj("type", idIn))),
				"securitySchemes", obj("bearer", bearer, "apiKey", obj("type", "apiKey", "in", "header", "name", keyName)),
			))
	}

	// crossRefs: each kind refers to another; only the schema Problem and
	// the example Sample differ between the services, so every orders
	// component that leads to them is renamed, and only those.
	crossRefs := func(path, problem, sample string) map[string]any {
		return obj("openapi", "3.1.0", "info", obj("title", "t", "version", "1"),
			"paths", obj(
				"/"+path, ref("pathItems", "Item"),
				"/"+path+"/hooks", obj("post", obj(
					"requestBody", ref("requestBodies", "Body"),
					"responses", obj("200", ok),
					"callbacks", obj("onEvent", ref("callbacks", "Hook")),
				)),
			),
			"components", obj(
				"schemas", obj("Problem", obj("type", "object", "properties", obj("detail", obj("type", problem)))),
				"responses", obj("Error", obj("description", "failed",
					"headers", obj("X-Trace", ref("headers", "Trace")),
					"content", jsonBody(ref("schemas", "Problem")),
					"links", obj("self", ref("links", "Self"))),
					// Sampled refers to a kind merged after its own.
					"Sampled", obj("description", "sampled", "content", obj("application/json", obj(
						"examples", obj("one", ref("examples", "Sample")))))),
				"requestBodies", obj("Body", obj("content", obj("application/json", obj(
					"schema", ref("schemas", "Problem", "/properties/detail"),
					"examples", obj("one", ref("examples", "Sample")))))),
				"examples", obj("Sample", obj("value", sample)),
				"headers", obj("Trace", obj("schema", str)),
				"links", obj("Self", obj("operationId", "getItem")),
				"parameters", obj("ID", obj("name", "id", "in", "query", "schema", str)),
				"callbacks", obj("Hook", obj("{$request.body#/url}", obj("post", obj(
					"requestBody", ref("requestBodies", "Body"), "responses", obj("200", ok))))),
				"pathItems", obj("Item", obj(
					"parameters", list(ref("parameters", "ID")),
					"get", obj("operationId", "getItem", "responses", obj("200", ok, "default", ref("responses", "Error"))))),
			))
	}

	// secured: a top-level requirement, operations with their own, a
	// callback and a path item component; bearer differs between services.
	secured := func(path, format string) map[string]any {
		return obj("openapi", "3.1.0", "info", obj("title", "t", "version", "1"),
			"security", list(obj("bearer", list())),
			"paths", obj(
				"/"+path, obj(
					"get", obj("responses", obj("200", ok)),
					"post", obj("responses", obj("200", ok), "security", list(obj("oauth", list("write")), obj("bearer", list()))),
					"delete", obj("responses", obj("200", ok), "security", list()),
					"put", obj("responses", obj("200", ok),
						"callbacks", obj("done", obj("{$request.body#/url}", obj("post", obj("responses", obj("200", ok),
							"security", list(obj("bearer", list("cb")))))),
							"plain", obj("{$request.body#/url}", obj("post", obj("responses", obj("200", ok)))))),
				),
				"/"+path+"/x", ref("pathItems", "X"),
			),
			"components", obj(
				"securitySchemes", obj("bearer", obj("type", "http", "scheme", "bearer", "bearerFormat", format),
					"oauth", obj("type", "oauth2", "flows", obj("clientCredentials", obj("tokenUrl", "/token", "scopes", obj("write", "w"))))),
				"pathItems", obj("X", obj("get", obj("responses", obj("200", ok)))),
				"callbacks", obj("Done", obj("{$request.body#/url}", obj("post", obj("responses", obj("200", ok),
					"security", list(obj("bearer", list("cb")))))))),
		)
	}

	tests := []struct {
		name   string
		routes []RouteConfig
		specs  map[string]map[string]any
		comps  map[string]any // the merged components, every kind
		checks []check
	}{{
		name:   "same-named responses, parameters and security schemes: equal shared, differing qualified",
		routes: twoServices,
		specs:  map[string]map[string]any{"users": clashing("users failed", "users", "X-Key"), "orders": clashing("orders failed", "orders", "X-Api-Key")},
		comps: obj(
			"responses", obj("NotFound", notFound, "Error", obj("description", "users failed"), "orders.Error", obj("description", "orders failed")),
			"parameters", obj("limit", limit,
				"ID", obj("name", "id", "in", "header", "schema", obj("type", "users")),
				"orders.ID", obj("name", "id", "in", "header", "schema", obj("type", "orders"))),
			"securitySchemes", obj("bearer", bearer,
				"apiKey", obj("type", "apiKey", "in", "header", "name", "X-Key"),
				"orders.apiKey", obj("type", "apiKey", "in", "header", "name", "X-Api-Key")),
		),
		checks: []check{
			{at("paths", "/users", "get", "parameters"), list(ref("parameters", "limit"), ref("parameters", "ID"))},
			{at("paths", "/users", "get", "responses", "500"), ref("responses", "Error")},
			{at("paths", "/users", "get", "security"), list(obj("bearer", list()), obj("apiKey", list()))},
			{at("paths", "/orders", "get", "parameters"), list(ref("parameters", "limit"), ref("parameters", "orders.ID"))},
			{at("paths", "/orders", "get", "responses", "404"), ref("responses", "NotFound")},
			{at("paths", "/orders", "get", "responses", "500"), ref("responses", "orders.Error")},
			{at("paths", "/orders", "get", "security"), list(obj("bearer", list()), obj("orders.apiKey", list()))},
		},
	}, {
		name:   "a qualified name is numbered only when taken in its own kind",
		routes: twoServices,
		specs: map[string]map[string]any{
			"users": obj("paths", obj(), "components", obj(
				"responses", obj("Error", obj("description", "a"), "orders.Error", obj("description", "b")),
				"schemas", obj("orders.ID", str),
				"parameters", obj("ID", obj("name", "id", "in", "query", "schema", str)))),
			"orders": obj("paths", obj(), "components", obj(
				"responses", obj("Error", obj("description", "c")),
				"parameters", obj("ID", limit))),
		},
		comps: obj(
			"responses", obj("Error", obj("description", "a"), "orders.Error", obj("description", "b"), "orders.Error_2", obj("description", "c")),
			"schemas", obj("orders.ID", str),
			"parameters", obj("ID", obj("name", "id", "in", "query", "schema", str), "orders.ID", limit),
		),
	}, {
		name:   "references from paths and from one kind to another follow renames",
		routes: twoServices,
		specs:  map[string]map[string]any{"users": crossRefs("users", "string", "u"), "orders": crossRefs("orders", "integer", "o")},
		comps: func() map[string]any {
			users := crossRefs("users", "string", "u")["components"].(map[string]any)
			orders := jsonClone(t, crossRefs("orders", "integer", "o")["components"]).(map[string]any)
			// orders' getItem clashes with users': it and the link to it
			// are renamed too, and so is the response holding the link.
			renamed := map[string]string{"schemas": "Problem", "examples": "Sample", "responses": "Error",
				"requestBodies": "Body", "callbacks": "Hook", "pathItems": "Item", "links": "Self"}
			want := jsonClone(t, users).(map[string]any)
			for kind, n := range renamed {
				want[kind].(map[string]any)["orders."+n] = orders[kind].(map[string]any)[n]
			}
			resp := want["responses"].(map[string]any)["orders.Error"].(map[string]any)
			resp["content"] = jsonBody(ref("schemas", "orders.Problem"))
			body := want["requestBodies"].(map[string]any)["orders.Body"].(map[string]any)
			body["content"] = obj("application/json", obj("schema", ref("schemas", "orders.Problem", "/properties/detail"),
				"examples", obj("one", ref("examples", "orders.Sample"))))
			hook := want["callbacks"].(map[string]any)["orders.Hook"].(map[string]any)
			hook["{$request.body#/url}"].(map[string]any)["post"].(map[string]any)["requestBody"] = ref("requestBodies", "orders.Body")
			want["responses"].(map[string]any)["orders.Sampled"] = obj("description", "sampled", "content", obj("application/json", obj(
				"examples", obj("one", ref("examples", "orders.Sample")))))
			resp["links"] = obj("self", ref("links", "orders.Self"))
			want["links"].(map[string]any)["orders.Self"] = obj("operationId", "orders.getItem")
			item := want["pathItems"].(map[string]any)["orders.Item"].(map[string]any)
			item["get"].(map[string]any)["responses"].(map[string]any)["default"] = ref("responses", "orders.Error")
			item["get"].(map[string]any)["operationId"] = "orders.getItem"
			return want
		}(),
		checks: []check{
			{at("paths", "/users"), ref("pathItems", "Item")},
			{at("paths", "/orders"), ref("pathItems", "orders.Item")},
			{at("paths", "/users/hooks", "post", "requestBody"), ref("requestBodies", "Body")},
			{at("paths", "/orders/hooks", "post", "requestBody"), ref("requestBodies", "orders.Body")},
			{at("paths", "/orders/hooks", "post", "callbacks", "onEvent"), ref("callbacks", "orders.Hook")},
			{at("components", "pathItems", "orders.Item", "parameters"), list(ref("parameters", "ID"))},
			{at("components", "responses", "orders.Error", "headers", "X-Trace"), ref("headers", "Trace")},
			{at("components", "responses", "orders.Error", "links", "self"), ref("links", "orders.Self")},
			{at("components", "links", "orders.Self", "operationId"), "orders.getItem"},
			{at("components", "pathItems", "orders.Item", "get", "operationId"), "orders.getItem"},
		},
	}, {
		name:   "security requirements follow renamed schemes; top-level security moves onto operations",
		routes: twoServices,
		specs:  map[string]map[string]any{"users": secured("users", "JWT"), "orders": secured("orders", "opaque")},
		checks: []check{
			{at("security"), nil},
			{at("components", "securitySchemes", "orders.bearer", "bearerFormat"), "opaque"},
			{at("components", "securitySchemes", "bearer", "bearerFormat"), "JWT"},
			{at("paths", "/users", "get", "security"), list(obj("bearer", list()))},
			{at("paths", "/users", "post", "security"), list(obj("oauth", list("write")), obj("bearer", list()))},
			{at("paths", "/orders", "get", "security"), list(obj("orders.bearer", list()))},
			{at("paths", "/orders", "post", "security"), list(obj("oauth", list("write")), obj("orders.bearer", list()))},
			{at("paths", "/orders", "delete", "security"), list()},
			{at("paths", "/orders", "put", "security"), list(obj("orders.bearer", list()))},
			{at("paths", "/orders", "put", "callbacks", "done", "{$request.body#/url}", "post", "security"), list(obj("orders.bearer", list("cb")))},
			{at("paths", "/orders", "put", "callbacks", "plain", "{$request.body#/url}", "post", "responses", "200"), ok},
			{at("paths", "/orders", "put", "callbacks", "plain", "{$request.body#/url}", "post", "security"), nil},
			{at("paths", "/users/x"), ref("pathItems", "X")},
			{at("paths", "/orders/x"), ref("pathItems", "orders.X")},
			{at("components", "pathItems", "X", "get", "security"), list(obj("bearer", list()))},
			{at("components", "pathItems", "orders.X", "get", "security"), list(obj("orders.bearer", list()))},
			{at("components", "callbacks", "Done", "{$request.body#/url}", "post", "security"), list(obj("bearer", list("cb")))},
			{at("components", "callbacks", "orders.Done", "{$request.body#/url}", "post", "security"), list(obj("orders.bearer", list("cb")))},
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := mergeStable(t, tt.routes, tt.specs)
			if got := doc["components"]; tt.comps != nil && !reflect.DeepEqual(got, tt.comps) {
				t.Errorf("components:\ngot  %v\nwant %v", got, tt.comps)
			}
			for _, c := range tt.checks {
				if got := jsonAt(doc, c.at...); !reflect.DeepEqual(got, c.want) {
					t.Errorf("%s: got %v, want %v", strings.Join(c.at, " "), got, c.want)
				}
			}
			checkResolves(t, doc)
		})
	}
}

// checkResolves checks that every local "$ref" of doc and every local
// operationRef of its links points at something and every security
// requirement names a security scheme of doc.
func checkResolves(t *testing.T, doc map[string]any) {
	t.Helper()
	for _, r := range refsIn(doc) {
		if _, ok := resolve(doc, r); !ok {
			t.Errorf("$ref %q does not resolve", r)
		}
	}
	for _, r := range stringsAt(doc, "operationRef") {
		if _, ok := resolve(doc, r); !ok && strings.HasPrefix(r, "#") {
			t.Errorf("operationRef %q does not resolve", r)
		}
	}
	schemes, _ := jsonAt(doc, "components", "securitySchemes").(map[string]any)
	for _, name := range requirementNames(doc) {
		if _, ok := schemes[name]; !ok {
			t.Errorf("security requirement names %q, not a security scheme", name)
		}
	}
}

// resolve follows ref, a URI fragment holding a JSON Pointer, in doc.
func resolve(doc any, ref string) (any, bool) {
	frag, ok := strings.CutPrefix(ref, "#")
	if !ok {
		return nil, false
	}
	p, err := url.PathUnescape(frag)
	if err != nil {
		return nil, false
	}
	v := doc
	for _, tok := range strings.Split(p, "/")[1:] {
		m, _ := v.(map[string]any)
		v, ok = m[strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")]
		if !ok {
			return nil, false
		}
	}
	return v, true
}

// requirementNames lists the keys of every security requirement in v.
func requirementNames(v any) []string {
	var out []string
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if reqs, ok := e.([]any); ok && k == "security" {
				for _, r := range reqs {
					for name := range r.(map[string]any) {
						out = append(out, name)
					}
				}
			}
			out = append(out, requirementNames(e)...)
		}
	case []any:
		for _, e := range v {
			out = append(out, requirementNames(e)...)
		}
	}
	return out
}

func TestRenameRef(t *testing.T) {
	ren := renames{
		"schemas":   {"a/b": "s.a_b", "x~y": "s.x_y", "Item": "s.Item"},
		"responses": {"Not/Found": "s.Not_Found", "Item": "s.RItem"},
	}
	tests := map[string]string{
		schemaRef + "Item":                          schemaRef + "s.Item",
		schemaRef + "Item/properties/x":             schemaRef + "s.Item/properties/x",
		schemaRef + "Itemx":                         schemaRef + "Itemx",
		schemaRef + "a~1b":                          schemaRef + "s.a_b",
		schemaRef + "a%7E1b":                        schemaRef + "s.a_b",
		schemaRef + "x~0y/items":                    schemaRef + "s.x_y/items",
		schemaRef + "Item%2fitems":                  schemaRef + "s.Item%2fitems",
		schemaRef:                                   schemaRef,
		"#/components/responses/Item":               "#/components/responses/s.RItem",
		"#/components/responses/Item/content":       "#/components/responses/s.RItem/content",
		"#/components/responses/Not~1Found":         "#/components/responses/s.Not_Found",
		"#/components/responses/a~1b":               "#/components/responses/a~1b",
		"#/components/parameters/Item":              "#/components/parameters/Item",
		"#/components/responses":                    "#/components/responses",
		"#/components/":                             "#/components/",
		"#/components/Item":                         "#/components/Item",
		"other.json" + schemaRef + "Item":           "other.json" + schemaRef + "Item",
		"other.json#/components/responses/Item":     "other.json#/components/responses/Item",
		"Item":                                      "Item",
		"#/paths/~1items/get/responses/200/content": "#/paths/~1items/get/responses/200/content",
	}
	for in, want := range tests {
		if got, changed := renameRef(in, ren); got != want || changed != (in != want) {
			t.Errorf("renameRef(%q) = %q, %v; want %q, %v", in, got, changed, want, in != want)
		}
	}
}

// componentName is what OpenAPI 3.1 allows as a key of components.
var componentName = regexp.MustCompile(`^[a-zA-Z0-9\.\-_]+$`)

func TestFreeName(t *testing.T) {
	taken := map[string]bool{"s.A": true, "s.A_2": true, "s_x.B": true}
	used := func(s string) bool { return taken[s] }
	tests := map[string]string{"s.A": "s.A_3", "s.C": "s.C", "s x.B": "s_x.B_2", "ä/b~c": "__b_c", "s.é": "s._"}
	for in, want := range tests {
		if got := freeName(in, used); got != want {
			t.Errorf("freeName(%q) = %q, want %q", in, got, want)
		}
		if got := freeName(in, used); !componentName.MatchString(got) {
			t.Errorf("freeName(%q) = %q, not a valid component name", in, got)
		}
	}
}
