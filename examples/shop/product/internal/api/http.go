package api

import (
	"github.com/gantrykit/gantry/middleware/auth"
	httpt "github.com/gantrykit/gantry/transport/http"
)

// Routes serves the catalog on mux.
func Routes(mux *httpt.Mux, e Endpoints) {
	mux.Handle("GET /api/v1/products", httpt.NewServer(e.List, httpt.Summary("List the catalog")))
	mux.Handle("GET /api/v1/products/{id}", httpt.NewServer(e.Get, httpt.Summary("Get one product")))
	mux.Handle("POST /api/v1/products", httpt.NewServer(e.Create,
		httpt.WithStatus(201), httpt.ServerBefore(auth.TokenFromHTTP), httpt.Summary("Add a product (admin scope)")))
}
