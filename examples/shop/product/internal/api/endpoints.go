// Package api adapts the product service to the outside world: its
// operations defined once (ops.go) and served, each in its middleware
// chain, over HTTP (with the OpenAPI document) for the gateway and over
// gRPC (the Catalog) for the order service, and the handler of
// orders.created. Business rules live in package products.
package api

import (
	kitendpoint "github.com/go-kit/kit/endpoint"

	"github.com/gantrykit/gantry/examples/shop/internal/shopauth"
	"github.com/gantrykit/gantry/middleware/auth"
)

// Chain returns an operation's middleware, outermost first.
type Chain func(op string) []kitendpoint.Middleware

// NewChain is the App's chain for each operation (its Middleware method);
// create_product also needs a token with the admin scope, checked by
// verifier.
func NewChain(chain Chain, verifier *auth.Authenticator) Chain {
	return func(op string) []kitendpoint.Middleware {
		if op == CreateProduct.Name {
			return append(chain(op), verifier.For(op), auth.RequireScope(shopauth.AdminScope))
		}
		return chain(op)
	}
}
