package api

import (
	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/examples/shop/internal/shopauth"
	"github.com/gantrykit/gantry/middleware/auth"
	httpt "github.com/gantrykit/gantry/transport/http"
)

// Routes serves the catalog on mux. Named gives each route its operation
// name, the chain's (the OpenAPI operationId: listProducts); Secured
// documents the token and scope that creating a product needs.
func Routes(mux *httpt.Mux, e Endpoints) {
	tag := httpt.Tags("products")
	mux.Handle("GET /api/v1/products", httpt.NewServer(e.List, httpt.Named("list_products"), httpt.Summary("List the catalog"), tag))
	mux.Handle("GET /api/v1/products/{id}", httpt.NewServer(e.Get, httpt.Named("get_product"), httpt.Summary("Get one product"),
		httpt.Errors(errs.KindNotFound), tag))
	mux.Handle("POST /api/v1/products", httpt.NewServer(e.Create, httpt.Named("create_product"), httpt.Summary("Add a product (admin scope)"),
		httpt.WithStatus(201), httpt.ServerBefore(auth.TokenFromHTTP), httpt.Secured(httpt.BearerJWT(), shopauth.AdminScope), tag))
}
