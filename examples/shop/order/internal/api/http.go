package api

import (
	"net/http"

	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/middleware/auth"
	httpt "github.com/gantrykit/gantry/transport/http"
)

// Routes serves the order API on mux, each route in its operation's chain
// (given to the server, so that a request refused before the endpoint
// passes through it too); the bearer token goes from the Authorization
// header to the chain's token check. Named gives each route its operation
// name, the chain's (the OpenAPI operationId:
// createOrder); Secured documents the token the check wants; Errors the
// kinds the business code returns beyond the transport's, and
// ErrorStatuses the 422 of an Idempotency-Key reused with other items.
func Routes(mux *httpt.Mux, e Endpoints) {
	common := []httpt.ServerOption{httpt.ServerBefore(auth.TokenFromHTTP), httpt.Secured(httpt.BearerJWT()), httpt.Tags("orders")}
	op := func(name, summary string, more ...httpt.ServerOption) []httpt.ServerOption {
		return append(append([]httpt.ServerOption{httpt.Named(name), httpt.WithMiddleware(e.Chain(name)...), httpt.Summary(summary)}, common...), more...)
	}
	mux.Handle("POST /api/v1/orders", httpt.NewServer(e.Create, op("create_order", "Place an order (answers pending)", httpt.WithStatus(202),
		httpt.Errors(errs.KindConflict), httpt.ErrorStatuses(http.StatusUnprocessableEntity))...))
	mux.Handle("GET /api/v1/orders/{id}", httpt.NewServer(e.Get, op("get_order", "One of the caller's orders", httpt.Errors(errs.KindNotFound))...))
	mux.Handle("GET /api/v1/orders", httpt.NewServer(e.List, op("list_orders", "The caller's orders, newest first")...))
}
