package client_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/gantrykit/gantry/client"
	"github.com/gantrykit/gantry/discovery"
	"github.com/gantrykit/gantry/discovery/static"
	"github.com/gantrykit/gantry/errs"
	httpt "github.com/gantrykit/gantry/transport/http"
)

type GetProduct struct {
	ID string `path:"id"`
}

type Product struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// A typed client of a discovered service: three instances registered in a
// registry, one of which answers every call with 503. The client balances
// over them (P2C), cuts the broken one off with its breaker and retries
// the calls it failed on the others; its callers see only answers.
func ExampleHTTP() {
	reg := static.NewRegistry()
	defer reg.Close()
	for i := range 3 {
		mux := httpt.NewMux()
		mux.Handle("GET /v1/products/{id}", httpt.NewServer(func(_ context.Context, r GetProduct) (Product, error) {
			if i == 1 {
				return Product{}, errs.Unavailable(0, "disk full")
			}
			return Product{ID: r.ID, Name: "teapot"}, nil
		}))
		srv := httptest.NewServer(mux)
		defer srv.Close()
		_ = reg.Put(context.Background(), discovery.Instance{Service: "products", ID: fmt.Sprint("p", i), Address: srv.URL}, 0)
	}

	products, err := client.HTTP[GetProduct, Product](reg.Instancer("products"), "GET", "/v1/products/{id}")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer products.Close()

	answered := 0
	for range 50 {
		if p, err := products.Call(context.Background(), GetProduct{ID: "42"}); err == nil && p.Name == "teapot" {
			answered++
		}
	}
	fmt.Printf("%d of 50 calls answered\n", answered)
	// Output:
	// 50 of 50 calls answered
}

// An operation defined once: the server registers the value, the caller
// calls the same value over discovery, so method, path and types cannot
// drift apart.
func ExampleOp() {
	getProduct := httpt.Op[GetProduct, Product]{Method: "GET", Pattern: "/v1/products/{id}", Name: "get_product"}

	mux := httpt.NewMux()
	getProduct.Handle(mux, func(_ context.Context, r GetProduct) (Product, error) {
		return Product{ID: r.ID, Name: "teapot"}, nil
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	products, err := client.Op(static.Fixed("products", srv.URL), getProduct)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer products.Close()
	p, err := products.Call(context.Background(), GetProduct{ID: "42"})
	fmt.Println(p.ID, p.Name, err)
	// Output:
	// 42 teapot <nil>
}
