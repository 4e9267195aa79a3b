package http_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/internal/oascheck"
	httpt "github.com/gantrykit/gantry/transport/http"
)

type placeOrder struct {
	SKU      string `json:"sku" validate:"required" example:"A-1"`
	Quantity int    `json:"quantity" validate:"required,min=1"`
}

type placed struct {
	ID   string  `json:"id"`
	Note *string `json:"note,omitempty"`
}

func securedMux() *httpt.Mux {
	m := httpt.NewMux()
	m.Errors(errs.KindUnavailable)
	m.Handle("POST /v1/orders", httpt.NewServer(func(context.Context, placeOrder) (placed, error) {
		return placed{}, errs.Unauthenticated("token expired")
	}, httpt.Named("place_order"), httpt.WithStatus(201), httpt.Secured(httpt.BearerJWT(), "shop"),
		httpt.Errors(errs.KindNotFound, errs.KindConflict), httpt.Tags("orders"),
		httpt.Example(placeOrder{SKU: "A-1", Quantity: 2}, placed{ID: "o1"})))
	m.Handle("GET /v1/orders/{id}", httpt.NewServer(func(context.Context, getReq) (order, error) { return order{}, nil },
		httpt.Named("get_order"), httpt.Secured(httpt.BearerJWT())))
	m.Handle("GET /v1/health/{id}", httpt.NewServer(func(context.Context, getReq) (order, error) { return order{}, nil },
		httpt.Named("get_order"))) // the same name again: numbered
	m.Handle("GET /openapi.json", m.OpenAPIHandler(httpt.Info{Title: "orders", Version: "1.2.3"}))
	return m
}

// TestOpenAPIFromTheRoute: security, answers, operation IDs and examples
// come from what the route declares, and the document is valid OpenAPI
// 3.1.
func TestOpenAPIFromTheRoute(t *testing.T) {
	w := httptest.NewRecorder()
	securedMux().ServeHTTP(w, httptest.NewRequest("GET", "/openapi.json", nil))
	if err := oascheck.Validate(w.Body.Bytes()); err != nil {
		t.Fatalf("not valid OpenAPI 3.1: %v\n%s", err, w.Body)
	}
	var d doc
	if err := json.Unmarshal(w.Body.Bytes(), &d); err != nil {
		t.Fatal(err)
	}
	statuses := func(path, method string) []string {
		r, _ := get(d, "paths", path, method, "responses").(map[string]any)
		var s []string
		for k := range r {
			s = append(s, k)
		}
		slices.Sort(s)
		return s
	}
	for _, tt := range []struct {
		path []string
		want string
	}{
		{[]string{"components", "securitySchemes", "bearerAuth", "scheme"}, `"bearer"`},
		{[]string{"components", "securitySchemes", "bearerAuth", "bearerFormat"}, `"JWT"`},
		{[]string{"paths", "/v1/orders", "post", "security"}, `[{"bearerAuth":["shop"]}]`},
		{[]string{"paths", "/v1/orders/{id}", "get", "security"}, `[{"bearerAuth":[]}]`},
		{[]string{"paths", "/v1/health/{id}", "get", "security"}, `null`},
		{[]string{"paths", "/v1/orders", "post", "operationId"}, `"placeOrder"`},
		{[]string{"paths", "/v1/orders/{id}", "get", "operationId"}, `"getOrder"`},
		{[]string{"paths", "/v1/health/{id}", "get", "operationId"}, `"getOrder2"`},
		{[]string{"paths", "/v1/orders", "post", "tags"}, `["orders"]`},
		{[]string{"paths", "/v1/orders", "post", "requestBody", "content", "application/json", "example"}, `{"quantity":2,"sku":"A-1"}`},
		{[]string{"paths", "/v1/orders", "post", "responses", "201", "content", "application/json", "example"}, `{"id":"o1"}`},
		{[]string{"paths", "/v1/orders", "post", "responses", "404", "content", "application/problem+json", "schema", "$ref"}, `"#/components/schemas/Problem"`},
		{[]string{"components", "schemas", "placeOrder", "properties", "sku", "examples"}, `["A-1"]`},
		{[]string{"components", "schemas", "placed", "required"}, `["id"]`},
		{[]string{"components", "schemas", "placed", "properties", "note", "type"}, `"string"`},
	} {
		if got, _ := json.Marshal(get(d, tt.path...)); string(got) != tt.want {
			t.Errorf("%s = %s, want %s", strings.Join(tt.path, "."), got, tt.want)
		}
	}
	for _, tt := range []struct {
		path, method string
		want         []string
	}{
		// body (400, 413, 415), bearer with a scope (401, 403), declared
		// (404, 409), the Mux's (503), always (500, 504).
		{"/v1/orders", "post", []string{"201", "400", "401", "403", "404", "409", "413", "415", "500", "503", "504"}},
		// a string path wildcard cannot be malformed: no 400.
		{"/v1/orders/{id}", "get", []string{"200", "401", "500", "503", "504"}},
		{"/v1/health/{id}", "get", []string{"200", "500", "503", "504"}},
	} {
		if got := statuses(tt.path, tt.method); !slices.Equal(got, tt.want) {
			t.Errorf("%s %s answers %v, want %v", tt.method, tt.path, got, tt.want)
		}
	}
}

// TestBearerChallenge: a 401 says how to authenticate (RFC 6750 §3), and
// whether the token presented was the problem.
func TestBearerChallenge(t *testing.T) {
	m := securedMux()
	for _, tt := range []struct{ authorization, want string }{
		{"", "Bearer"},
		{"Bearer abc", `Bearer error="invalid_token"`},
		{"Basic YTpi", "Bearer"},
	} {
		r := jsonReq("/v1/orders", `{"sku":"A-1","quantity":1}`)
		if tt.authorization != "" {
			r.Header.Set("Authorization", tt.authorization)
		}
		w, p := serve(t, m, r)
		if w.Code != http.StatusUnauthorized || p.Code != "unauthenticated" {
			t.Fatalf("got %d %q, want 401 unauthenticated", w.Code, p.Code)
		}
		if got := w.Header().Get("WWW-Authenticate"); got != tt.want {
			t.Errorf("Authorization %q: WWW-Authenticate %q, want %q", tt.authorization, got, tt.want)
		}
	}
	w := httptest.NewRecorder()
	r := httptest.NewRequest("GET", "/x", nil)
	r.Header.Set("Authorization", "Bearer abc")
	httpt.WriteProblem(w, r, errs.PermissionDenied("no"), 0)
	if got := w.Header().Get("WWW-Authenticate"); got != `Bearer error="insufficient_scope"` {
		t.Errorf("403 to a bearer token: WWW-Authenticate %q", got)
	}
}
