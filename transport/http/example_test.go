package http_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"

	"github.com/gantrykit/gantry/errs"
	httpt "github.com/gantrykit/gantry/transport/http"
)

// The request and answer types of a small orders service.
type CreateOrder struct {
	SKU      string `json:"sku" validate:"required"`
	Quantity int    `json:"quantity" validate:"min=1,max=10"`
}

type GetOrder struct {
	ID string `path:"id"`
}

type Order struct {
	ID       string `json:"id"`
	SKU      string `json:"sku"`
	Quantity int    `json:"quantity"`
}

// orders is the business code: it knows nothing of HTTP.
type orders struct{ byID map[string]Order }

func (s *orders) Create(_ context.Context, req CreateOrder) (Order, error) {
	o := Order{ID: fmt.Sprint(len(s.byID) + 1), SKU: req.SKU, Quantity: req.Quantity}
	s.byID[o.ID] = o
	return o, nil
}

func (s *orders) Get(_ context.Context, req GetOrder) (Order, error) {
	o, ok := s.byID[req.ID]
	if !ok {
		return Order{}, errs.NotFound("order %s not found", req.ID)
	}
	return o, nil
}

// A typed server and a typed client, round trip: the client's errors are
// the server's error kinds.
func Example() {
	svc := &orders{byID: map[string]Order{}}
	mux := httpt.NewMux()
	mux.Handle("POST /v1/orders", httpt.NewServer(svc.Create, httpt.WithStatus(http.StatusCreated)))
	mux.Handle("GET /v1/orders/{id}", httpt.NewServer(svc.Get))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	create, _ := httpt.NewClient[CreateOrder, Order]("POST", srv.URL, "/v1/orders", httpt.WithHTTPClient(srv.Client()))
	get, _ := httpt.NewClient[GetOrder, Order]("GET", srv.URL, "/v1/orders/{id}", httpt.WithHTTPClient(srv.Client()))
	ctx := context.Background()

	o, err := create.Func()(ctx, CreateOrder{SKU: "tea", Quantity: 2})
	fmt.Println(o, err)
	o, err = get.Func()(ctx, GetOrder{ID: o.ID})
	fmt.Println(o, err)

	_, err = get.Func()(ctx, GetOrder{ID: "99"})
	fmt.Println(errors.Is(err, errs.KindNotFound), err)

	_, err = create.Func()(ctx, CreateOrder{SKU: "tea", Quantity: 11})
	var e *errs.Error
	errors.As(err, &e)
	fmt.Println(e.Kind, e.Fields[0].Field, e.Fields[0].Description)
	// Output:
	// {1 tea 2} <nil>
	// {1 tea 2} <nil>
	// true order 99 not found
	// invalid_argument quantity must be at most 10
}

// A malformed request gets a problem+json answer that names the problem.
func ExampleNewServer() {
	svc := &orders{byID: map[string]Order{}}
	h := httpt.NewServer(svc.Create)

	r := httptest.NewRequest("POST", "/v1/orders", strings.NewReader(`{"sku":"tea","quantity":"two"}`))
	r.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	fmt.Println(w.Code, w.Header().Get("Content-Type"))
	fmt.Print(w.Body)
	// Output:
	// 400 application/problem+json
	// {"type":"about:blank","title":"Invalid argument","status":400,"detail":"field \"quantity\": want integer, got string (offset 29)","instance":"/v1/orders","code":"invalid_argument","errors":[{"field":"quantity","description":"want integer, got string"}]}
}

// The OpenAPI document lists every typed route with JSON Schemas built from
// the Go types, validate tags included.
func ExampleMux_OpenAPI() {
	svc := &orders{byID: map[string]Order{}}
	mux := httpt.NewMux()
	mux.Handle("POST /v1/orders", httpt.NewServer(svc.Create, httpt.WithStatus(http.StatusCreated), httpt.Summary("Place an order")))
	mux.Handle("GET /v1/orders/{id}", httpt.NewServer(svc.Get))
	mux.Handle("GET /openapi.json", mux.OpenAPIHandler(httpt.Info{Title: "orders", Version: "1.0.0"}))

	b, _ := mux.OpenAPI(httpt.Info{Title: "orders", Version: "1.0.0"})
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
		Comp    struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	_ = json.Unmarshal(b, &doc)
	fmt.Println(doc.OpenAPI)
	for _, p := range slices.Sorted(maps.Keys(doc.Paths)) {
		for m := range doc.Paths[p] {
			fmt.Println(m, p)
		}
	}
	fmt.Println(string(doc.Comp.Schemas["CreateOrder"]))
	// Output:
	// 3.1.0
	// post /v1/orders
	// get /v1/orders/{id}
	// {"type":"object","properties":{"quantity":{"type":"integer","format":"int64","minimum":1,"maximum":10},"sku":{"type":"string"}},"required":["sku"],"additionalProperties":false}
}
