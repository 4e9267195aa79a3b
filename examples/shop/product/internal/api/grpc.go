package api

import (
	"context"

	"google.golang.org/grpc"

	"github.com/gantrykit/gantry/examples/shop/product/internal/products"
	"github.com/gantrykit/gantry/examples/shop/product/productpb"
	grpct "github.com/gantrykit/gantry/transport/grpc"
)

// RegisterGRPC serves the Lookup endpoint as productpb.Catalog on s (the
// App's grpckit.NewServer).
func RegisterGRPC(s grpc.ServiceRegistrar, e Endpoints) {
	productpb.RegisterCatalogServer(s, catalogServer{lookup: grpct.NewHandler(e.Lookup, decodeLookup, encodeLookup)})
}

// catalogServer implements productpb.CatalogServer with one typed handler.
type catalogServer struct {
	productpb.UnimplementedCatalogServer
	lookup *grpct.Handler[*productpb.GetProductsRequest, *productpb.GetProductsReply]
}

func (s catalogServer) GetProducts(ctx context.Context, r *productpb.GetProductsRequest) (*productpb.GetProductsReply, error) {
	return s.lookup.Serve(ctx, r)
}

func decodeLookup(_ context.Context, r *productpb.GetProductsRequest) (products.LookupRequest, error) {
	return products.LookupRequest{IDs: r.GetIds()}, nil
}

func encodeLookup(_ context.Context, r products.LookupReply) (*productpb.GetProductsReply, error) {
	out := &productpb.GetProductsReply{Products: make([]*productpb.Product, len(r.Products))}
	for i, p := range r.Products {
		out.Products[i] = &productpb.Product{Id: p.ID, Name: p.Name, PriceCents: p.PriceCents}
	}
	return out, nil
}
