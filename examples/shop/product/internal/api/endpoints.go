// Package api adapts the product service to the outside world: typed
// endpoints and their middleware chains, HTTP routes (and their
// OpenAPI document), the gRPC Catalog for the order service, and the
// handler of orders.created. Business rules live in package products.
package api

import (
	kitendpoint "github.com/go-kit/kit/endpoint"

	"github.com/gantrykit/gantry/endpoint"
	"github.com/gantrykit/gantry/examples/shop/internal/shopauth"
	"github.com/gantrykit/gantry/examples/shop/product/internal/products"
	"github.com/gantrykit/gantry/middleware/auth"
)

// Endpoints are the product service's operations. List, Get and Create are
// served over HTTP, each in its operation's Chain, which the routes give
// to their servers (httpt.WithMiddleware) so that a request refused before
// the endpoint (400 on a malformed body, 413) is counted in rpc_server_*
// and logged too. Lookup, served over gRPC, is wrapped in its chain.
type Endpoints struct {
	List   endpoint.Func[products.ListProducts, products.ProductList]
	Get    endpoint.Func[products.GetProduct, products.Product]
	Create endpoint.Func[products.NewProduct, products.Product]
	Lookup endpoint.Func[products.LookupRequest, products.LookupReply]
	// Chain is an operation's middleware, outermost first.
	Chain func(op string) []kitendpoint.Middleware
}

// NewEndpoints gives svc's methods and their chains: the App's chain for
// the operation name (the App's Middleware method); create_product also
// needs a token with the admin scope, checked by verifier.
func NewEndpoints(svc *products.Service, chain func(op string) []kitendpoint.Middleware, verifier *auth.Authenticator) Endpoints {
	return Endpoints{
		List:   svc.List,
		Get:    svc.Get,
		Create: svc.Create,
		Lookup: endpoint.Wrap(svc.Lookup, chain("lookup_products")...),
		Chain: func(op string) []kitendpoint.Middleware {
			if op == "create_product" {
				return append(chain(op), verifier.For(op), auth.RequireScope(shopauth.AdminScope))
			}
			return chain(op)
		},
	}
}
