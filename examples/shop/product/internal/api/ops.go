package api

import (
	"context"

	"google.golang.org/grpc"

	"github.com/gantrykit/gantry/endpoint"
	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/examples/shop/internal/shopauth"
	"github.com/gantrykit/gantry/examples/shop/product/internal/products"
	"github.com/gantrykit/gantry/examples/shop/product/productpb"
	"github.com/gantrykit/gantry/middleware/auth"
	grpct "github.com/gantrykit/gantry/transport/grpc"
	httpt "github.com/gantrykit/gantry/transport/http"
)

// The product service's HTTP operations, each defined once: method, path,
// request and response types, operation name (the chain's, and the
// OpenAPI operationId: listProducts) and success status. Serve serves
// them, the OpenAPI document lists them, and the gateway's route table is
// checked against that document.
var (
	ListProducts  = httpt.Op[products.ListProducts, products.ProductList]{Method: "GET", Pattern: "/api/v1/products", Name: "list_products"}
	GetProduct    = httpt.Op[products.GetProduct, products.Product]{Method: "GET", Pattern: "/api/v1/products/{id}", Name: "get_product"}
	CreateProduct = httpt.Op[products.NewProduct, products.Product]{Method: "POST", Pattern: "/api/v1/products", Name: "create_product", Status: 201}
)

// Serve serves every operation of svc, one block per operation: over HTTP
// on mux from its Op, in its chain (given to the server, so that a request
// refused before the endpoint, 400 or 413, passes through it too), and
// over gRPC on g as a method of productpb.Catalog with the codec between
// the generated messages and the typed request and response, wrapped in
// its chain. A new operation is one Op above and one block here.
func Serve(mux *httpt.Mux, g grpc.ServiceRegistrar, svc *products.Service, chain Chain) {
	doc := func(op, summary string, more ...httpt.ServerOption) []httpt.ServerOption {
		return append([]httpt.ServerOption{httpt.WithMiddleware(chain(op)...), httpt.Summary(summary), httpt.Tags("products")}, more...)
	}
	var rpc []grpct.Method

	ListProducts.Handle(mux, svc.List, doc(ListProducts.Name, "List the catalog")...)

	GetProduct.Handle(mux, svc.Get, doc(GetProduct.Name, "Get one product", httpt.Errors(errs.KindNotFound))...)

	// Secured documents the token and scope the chain checks.
	CreateProduct.Handle(mux, svc.Create, doc(CreateProduct.Name, "Add a product (admin scope)",
		httpt.ServerBefore(auth.TokenFromHTTP), httpt.Secured(httpt.BearerJWT(), shopauth.AdminScope))...)

	// The order service's lookup, over gRPC only.
	rpc = append(rpc, grpct.Unary(productpb.Catalog_GetProducts_FullMethodName, endpoint.Wrap(svc.Lookup, chain("lookup_products")...),
		func(_ context.Context, r *productpb.GetProductsRequest) (products.LookupRequest, error) {
			return products.LookupRequest{IDs: r.GetIds()}, nil
		}, encodeLookup))

	grpct.Register(g, &productpb.Catalog_ServiceDesc, rpc...)
}
