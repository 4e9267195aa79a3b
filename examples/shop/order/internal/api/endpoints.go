// Package api adapts the order service to the outside world: typed
// endpoints and their middleware chains (with the token check), HTTP
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
	// Chain is an operation's middleware, outermost first: the App's chain
	// for the operation, then verifier's token check. The routes give it
	// to their servers (httpt.WithMiddleware), so that a request the
	// server refuses before the endpoint (400 on a malformed body, 413)
	// passes through it too: it is counted in rpc_server_* and logged.
	Chain func(op string) []kitendpoint.Middleware
}

// NewEndpoints adapts each method of svc to the caller named by the token;
// Chain gives the middleware for its operation name (the App's Middleware
// method, then verifier's token check).
func NewEndpoints(svc *orders.Service, chain func(op string) []kitendpoint.Middleware, verifier *auth.Authenticator) Endpoints {
	return Endpoints{
		Create: asCaller(svc.Create, func(r *orders.PlaceOrder) *string { return &r.UserID }),
		Get:    asCaller(svc.Get, func(r *orders.GetOrder) *string { return &r.UserID }),
		List:   asCaller(svc.List, func(r *orders.ListOrders) *string { return &r.UserID }),
		Chain:  func(op string) []kitendpoint.Middleware { return append(chain(op), verifier.For(op)) },
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
