package gateway

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/gantrykit/gantry/internal/oascheck"
)

// fastAPISpec is the kind of document FastAPI writes: validation errors,
// an OAuth2 password scheme named on each operation, no top-level security.
const fastAPISpec = `{"openapi":"3.1.0","info":{"title":"Users","version":"0.1.0"},
 "paths":{"/users/{user_id}":{"get":{"summary":"Read User","operationId":"read_user_users__user_id__get",
   "security":[{"OAuth2PasswordBearer":[]}],
   "parameters":[{"name":"user_id","in":"path","required":true,"schema":{"type":"integer","title":"User Id"}},
     {"$ref":"#/components/parameters/page"}],
   "responses":{"200":{"description":"Successful Response","content":{"application/json":{"schema":{"$ref":"#/components/schemas/User"}}}},
     "404":{"$ref":"#/components/responses/NotFound"},
     "422":{"description":"Validation Error","content":{"application/json":{"schema":{"$ref":"#/components/schemas/HTTPValidationError"}}}}}}}},
 "components":{
  "schemas":{"User":{"properties":{"id":{"type":"integer","title":"Id"},"email":{"type":"string","title":"Email"}},"type":"object","required":["id","email"],"title":"User"},
   "HTTPValidationError":{"properties":{"detail":{"items":{"$ref":"#/components/schemas/ValidationError"},"type":"array","title":"Detail"}},"type":"object","title":"HTTPValidationError"},
   "ValidationError":{"properties":{"loc":{"items":{"anyOf":[{"type":"string"},{"type":"integer"}]},"type":"array","title":"Location"},"msg":{"type":"string","title":"Message"},"type":{"type":"string","title":"Error Type"}},"type":"object","required":["loc","msg","type"],"title":"ValidationError"}},
  "responses":{"NotFound":{"description":"Not found","content":{"application/json":{"schema":{"$ref":"#/components/schemas/HTTPValidationError"}}}}},
  "parameters":{"page":{"name":"page","in":"query","schema":{"type":"integer","minimum":1}}},
  "securitySchemes":{"OAuth2PasswordBearer":{"type":"oauth2","flows":{"password":{"scopes":{},"tokenUrl":"token"}}},
   "bearerAuth":{"type":"http","scheme":"bearer"}}}}`

// springdocSpec is the kind of document springdoc writes: a top-level
// bearer requirement and shared responses, parameters and schemas, some
// named as in fastAPISpec but different.
const springdocSpec = `{"openapi":"3.1.0","info":{"title":"Orders","version":"v1"},
 "security":[{"bearerAuth":[]}],
 "paths":{"/api/orders/{id}":{"get":{"tags":["order-controller"],"operationId":"getOrder",
   "parameters":[{"$ref":"#/components/parameters/orderId"},{"$ref":"#/components/parameters/page"}],
   "responses":{"200":{"description":"OK","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Order"}}}},
     "404":{"$ref":"#/components/responses/NotFound"}}},
  "delete":{"operationId":"deleteOrder","security":[{"bearerAuth":["admin"]}],
   "parameters":[{"$ref":"#/components/parameters/orderId"}],
   "responses":{"204":{"description":"No Content"},"404":{"$ref":"#/components/responses/NotFound"}}}},
  "/api/health":{"get":{"operationId":"health","security":[],"responses":{"200":{"description":"OK"}}}}},
 "components":{
  "schemas":{"Order":{"type":"object","properties":{"id":{"type":"string","format":"uuid"},"total":{"type":"number"}}},
   "ValidationError":{"type":"object","properties":{"field":{"type":"string"},"message":{"type":"string"}}},
   "Problem":{"type":"object","properties":{"title":{"type":"string"},"status":{"type":"integer"},"errors":{"type":"array","items":{"$ref":"#/components/schemas/ValidationError"}}}}},
  "responses":{"NotFound":{"description":"Not found","content":{"application/problem+json":{"schema":{"$ref":"#/components/schemas/Problem"}}}}},
  "parameters":{"orderId":{"name":"id","in":"path","required":true,"schema":{"type":"string","format":"uuid"}},
   "page":{"name":"page","in":"query","schema":{"type":"integer","minimum":1}}},
  "securitySchemes":{"bearerAuth":{"type":"http","scheme":"bearer","bearerFormat":"JWT"}}}}`

// TestMergeSpecsForeign merges the documents of two services that gantry
// did not write: the result passes the official OpenAPI 3.1 schema, every
// reference and security requirement resolves, and each service keeps its
// own NotFound, ValidationError and bearerAuth.
func TestMergeSpecsForeign(t *testing.T) {
	specs := map[string]map[string]any{}
	for name, text := range map[string]string{"users": fastAPISpec, "orders": springdocSpec} {
		var spec map[string]any
		if err := json.Unmarshal([]byte(text), &spec); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		specs[name] = spec
	}
	routes := []RouteConfig{
		{Name: "users", Service: "users", Prefix: "/users"},
		{Name: "orders", Service: "orders", Prefix: "/orders", Rewrite: "/api/orders"},
		{Name: "health", Service: "orders", Prefix: "/health/orders", Rewrite: "/api/health"},
	}
	doc := mergeStable(t, routes, specs)
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	if err := oascheck.Validate(b); err != nil {
		t.Fatalf("merged document is not valid OpenAPI 3.1: %v\n%s", err, b)
	}
	checkResolves(t, doc)
	for _, c := range []check{
		{at("security"), nil},
		{at("paths", "/users/{user_id}", "get", "security"), list(obj("OAuth2PasswordBearer", list()))},
		{at("paths", "/users/{user_id}", "get", "responses", "404"), ref("responses", "NotFound")},
		{at("paths", "/orders/{id}", "get", "security"), list(obj("orders.bearerAuth", list()))},
		{at("paths", "/orders/{id}", "get", "responses", "404"), ref("responses", "orders.NotFound")},
		{at("paths", "/orders/{id}", "get", "parameters"), list(ref("parameters", "orderId"), ref("parameters", "page"))},
		{at("paths", "/orders/{id}", "delete", "security"), list(obj("orders.bearerAuth", list("admin")))},
		{at("paths", "/health/orders", "get", "security"), list()},
		{at("components", "responses", "orders.NotFound", "content", "application/problem+json", "schema"), ref("schemas", "Problem")},
		{at("components", "schemas", "Problem", "properties", "errors", "items"), ref("schemas", "orders.ValidationError")},
		{at("components", "schemas", "HTTPValidationError", "properties", "detail", "items"), ref("schemas", "ValidationError")},
		{at("components", "securitySchemes", "bearerAuth"), obj("type", "http", "scheme", "bearer")},
		{at("components", "securitySchemes", "orders.bearerAuth", "bearerFormat"), "JWT"},
		{at("components", "securitySchemes", "OAuth2PasswordBearer", "type"), "oauth2"},
		{at("components", "parameters", "page", "name"), "page"},
		{at("components", "parameters", "orders.page"), nil},
	} {
		if got := jsonAt(doc, c.at...); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %v, want %v", strings.Join(c.at, " "), got, c.want)
		}
	}
}

// FuzzMergeSpecs merges two arbitrary documents, the first behind two
// routes: mergeSpecs must not panic, must leave its input alone and build
// the same document in every run; when each document's operationIds are
// unique, so are the merged document's (mergeStable checks); and when every
// "$ref" of both documents points at a component of their own
// (#/components/<kind>/<name>...), every "$ref" of the merged document
// resolves.
//
//	go test -fuzz FuzzMergeSpecs -fuzzminimizetime 2s -run '^$' ./gateway/
func FuzzMergeSpecs(f *testing.F) {
	f.Add(fastAPISpec, springdocSpec)
	f.Add(springdocSpec, strings.ReplaceAll(springdocSpec, `"uuid"`, `"uri"`))
	f.Add(`{"components":{"schemas":{"a~b":{"$ref":"#/components/responses/r"}},"responses":{"r":{"$ref":"#/components/schemas/a~0b"}}}}`,
		`{"components":{"schemas":{"a~b":{}},"responses":{"r":{"description":"x"}}},"security":[{"s":[]}],"paths":{"/p":{"get":{}}}}`)
	f.Add(`{"paths":{"/p":{"get":{"operationId":"x","callbacks":{"c":{"e":{"post":{"operationId":"b.x"}}}}}},"/q":{"$ref":"#/components/pathItems/I"}},
		"components":{"pathItems":{"I":{"put":{"operationId":"i"}}},"links":{"L":{"operationId":"x","operationRef":"#/paths/~1p/get"}}}}`,
		`{"paths":{"/p":{"get":{"operationId":"b.x"},"post":{"operationId":"x"}}},"components":{"pathItems":{"I":{"put":{"operationId":"i"}}},
		"callbacks":{"C":{"e":{"get":{"operationId":"i"}}}}}}`)
	routes := []RouteConfig{prefixRoute("a", "/"), prefixRoute("b", "/"), {Name: "a v2", Service: "a", Prefix: "/", Version: "v2", StripPrefix: true}}
	f.Fuzz(func(t *testing.T, a, b string) {
		specs := map[string]map[string]any{}
		for name, text := range map[string]string{"a": a, "b": b} {
			var spec map[string]any
			if json.Unmarshal([]byte(text), &spec) != nil {
				t.Skip("not a JSON object")
			}
			specs[name] = spec
		}
		doc := mergeStable(t, routes, specs)
		for _, spec := range specs {
			for _, r := range refsIn(spec) {
				if _, ok := resolve(spec, r); !ok || !componentRef(r) {
					return // the merged document need not resolve it either
				}
			}
		}
		for _, r := range refsIn(doc) {
			if _, ok := resolve(doc, r); !ok {
				t.Errorf("$ref %q does not resolve in the merged document", r)
			}
		}
	})
}

// componentRef reports whether ref points at or into a named component of
// one of the OpenAPI 3.1 kinds.
func componentRef(ref string) bool {
	rest, ok := strings.CutPrefix(ref, "#/components/")
	kind, _, named := strings.Cut(rest, "/")
	kinds := componentKinds()
	return ok && named && slices.Contains(kinds[:], kind)
}
