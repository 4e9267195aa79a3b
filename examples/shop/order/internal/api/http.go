package api

import (
	"github.com/gantrykit/gantry/middleware/auth"
	httpt "github.com/gantrykit/gantry/transport/http"
)

// Routes serves the order API on mux; the bearer token goes from the
// Authorization header to the endpoints' token check.
func Routes(mux *httpt.Mux, e Endpoints) {
	token := httpt.ServerBefore(auth.TokenFromHTTP)
	mux.Handle("POST /api/v1/orders", httpt.NewServer(e.Create, httpt.WithStatus(202), token, httpt.Summary("Place an order (answers pending)")))
	mux.Handle("GET /api/v1/orders/{id}", httpt.NewServer(e.Get, token, httpt.Summary("One of the caller's orders")))
	mux.Handle("GET /api/v1/orders", httpt.NewServer(e.List, token, httpt.Summary("The caller's orders, newest first")))
}
