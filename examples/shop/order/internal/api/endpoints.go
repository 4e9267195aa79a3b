// Package api adapts the order service to the outside world: typed
// endpoints wrapped in the middleware chain and the token check, HTTP
// routes (and their OpenAPI document), and the handler of the stock.*
// events. Business rules live in package orders.
package api

import (
	"context"

	kitendpoint "github.com/go-kit/kit/endpoint"

	"github.com/gantrykit/gantry/endpoint"
	"github.com/gantrykit/gantry/examples/shop/internal/shopauth"
	"github.com/gantrykit/gantry/examples/shop/order/internal/orders"
	"github.com/gantrykit/gantry/middleware/auth"
)

// Endpoints are the order API's operations. Every one needs a valid token,
// and the caller's ID comes from it, never from the request.
type Endpoints struct {
	Create endpoint.Func[orders.PlaceOrder, orders.Order]
	Get    endpoint.Func[orders.GetOrder, orders.Order]
	List   endpoint.Func[orders.ListOrders, orders.OrderList]
}

// NewEndpoints wraps each method of svc in the chain for its operation
// name (the App's Middleware method), then in verifier's token check.
func NewEndpoints(svc *orders.Service, chain func(op string) []kitendpoint.Middleware, verifier *auth.Authenticator) Endpoints {
	wrap := func(op string) []kitendpoint.Middleware { return append(chain(op), verifier.For(op)) }
	return Endpoints{
		Create: endpoint.Wrap(asCaller(svc.Create, func(r *orders.PlaceOrder) *string { return &r.UserID }), wrap("create_order")...),
		Get:    endpoint.Wrap(asCaller(svc.Get, func(r *orders.GetOrder) *string { return &r.UserID }), wrap("get_order")...),
		List:   endpoint.Wrap(asCaller(svc.List, func(r *orders.ListOrders) *string { return &r.UserID }), wrap("list_orders")...),
	}
}

// asCaller sets the request's user ID (the field user points to) to the
// validated caller's before calling f.
func asCaller[Req, Resp any](f endpoint.Func[Req, Resp], user func(*Req) *string) endpoint.Func[Req, Resp] {
	return func(ctx context.Context, req Req) (Resp, error) {
		sub, err := shopauth.Subject(ctx)
		if err != nil {
			var zero Resp
			return zero, err
		}
		*user(&req) = sub
		return f(ctx, req)
	}
}
