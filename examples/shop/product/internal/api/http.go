package api

import (
	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/examples/shop/internal/shopauth"
	"github.com/gantrykit/gantry/middleware/auth"
	httpt "github.com/gantrykit/gantry/transport/http"
)

// Routes serves the catalog on mux, each route in its operation's chain
// (given to the server, so that a request refused before the endpoint
// passes through it too). Named gives each route its operation
// name, the chain's (the OpenAPI operationId: listProducts); Secured
// documents the token and scope that creating a product needs.
func Routes(mux *httpt.Mux, e Endpoints) {
	tag := httpt.Tags("products")
	op := func(name string, more ...httpt.ServerOption) []httpt.ServerOption {
		return append([]httpt.ServerOption{httpt.Named(name), httpt.WithMiddleware(e.Chain(name)...), tag}, more...)
	}
	mux.Handle("GET /api/v1/products", httpt.NewServer(e.List, op("list_products", httpt.Summary("List the catalog"))...))
	mux.Handle("GET /api/v1/products/{id}", httpt.NewServer(e.Get, op("get_product", httpt.Summary("Get one product"),
		httpt.Errors(errs.KindNotFound))...))
	mux.Handle("POST /api/v1/products", httpt.NewServer(e.Create, op("create_product", httpt.Summary("Add a product (admin scope)"),
		httpt.WithStatus(201), httpt.ServerBefore(auth.TokenFromHTTP), httpt.Secured(httpt.BearerJWT(), shopauth.AdminScope))...))
}
