package api

import (
	"context"

	"github.com/gantrykit/gantry/examples/shop/product/internal/products"
	"github.com/gantrykit/gantry/examples/shop/product/productpb"
)

// The codec of the replies longer than a line.

func encodeLookup(_ context.Context, r products.LookupReply) (*productpb.GetProductsReply, error) {
	out := &productpb.GetProductsReply{Products: make([]*productpb.Product, len(r.Products))}
	for i, p := range r.Products {
		out.Products[i] = productToProto(p)
	}
	return out, nil
}

func productToProto(p products.Product) *productpb.Product {
	return &productpb.Product{Id: p.ID, Name: p.Name, PriceCents: p.PriceCents}
}
