// Package api adapts the product service to the outside world: typed
// endpoints wrapped in the middleware chain, HTTP routes (and their
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

// Endpoints are the product service's operations.
type Endpoints struct {
	List   endpoint.Func[products.ListProducts, products.ProductList]
	Get    endpoint.Func[products.GetProduct, products.Product]
	Create endpoint.Func[products.NewProduct, products.Product]
	Lookup endpoint.Func[products.LookupRequest, products.LookupReply]
}

// NewEndpoints wraps each method of svc in the chain for its operation
// name (the App's Middleware method); Create also needs a token with the admin scope, checked by
// verifier.
func NewEndpoints(svc *products.Service, chain func(op string) []kitendpoint.Middleware, verifier *auth.Authenticator) Endpoints {
	admin := append(chain("create_product"), verifier.For("create_product"), auth.RequireScope(shopauth.AdminScope))
	return Endpoints{
		List:   endpoint.Wrap(svc.List, chain("list_products")...),
		Get:    endpoint.Wrap(svc.Get, chain("get_product")...),
		Create: endpoint.Wrap(svc.Create, admin...),
		Lookup: endpoint.Wrap(svc.Lookup, chain("lookup_products")...),
	}
}
