package api

import (
	"net/http"

	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/middleware/auth"
	httpt "github.com/gantrykit/gantry/transport/http"
)

// Routes serves the order API's operations (ops.go) on mux, each in its
// chain (given to the server, so that a request refused before the
// endpoint passes through it too); the bearer token goes from the
// Authorization header to the chain's token check. Secured documents the
// token the check wants; Errors the kinds the business code returns
// beyond the transport's, and ErrorStatuses the 422 of an
// Idempotency-Key reused with other items.
func Routes(mux *httpt.Mux, e Endpoints) {
	common := []httpt.ServerOption{httpt.ServerBefore(auth.TokenFromHTTP), httpt.Secured(httpt.BearerJWT()), httpt.Tags("orders")}
	doc := func(op, summary string, more ...httpt.ServerOption) []httpt.ServerOption {
		return append(append([]httpt.ServerOption{httpt.WithMiddleware(e.Chain(op)...), httpt.Summary(summary)}, common...), more...)
	}
	CreateOrder.Handle(mux, e.Create, doc(CreateOrder.Name, "Place an order (answers pending)",
		httpt.Errors(errs.KindConflict), httpt.ErrorStatuses(http.StatusUnprocessableEntity))...)
	GetOrder.Handle(mux, e.Get, doc(GetOrder.Name, "One of the caller's orders", httpt.Errors(errs.KindNotFound))...)
	ListOrders.Handle(mux, e.List, doc(ListOrders.Name, "The caller's orders, newest first")...)
}
