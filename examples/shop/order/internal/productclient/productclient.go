// Package productclient is the order service's client of the product
// service's Catalog over gRPC: one kit/grpckit.Dial (instances from
// NATS-KV discovery, power-of-two-choices balancing, a breaker per
// instance, retries of the idempotent lookup under the shared budget, the
// App's client chain) and the generated client.
package productclient

import (
	"context"
	"errors"
	"time"

	"github.com/gantrykit/gantry/client/grpcclient"
	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/examples/shop/order/internal/orders"
	"github.com/gantrykit/gantry/examples/shop/product/productpb"
	"github.com/gantrykit/gantry/kit"
	"github.com/gantrykit/gantry/kit/grpckit"
	"github.com/gantrykit/gantry/kit/natskit"
	grpct "github.com/gantrykit/gantry/transport/grpc"
)

// New returns the product catalog as the order service sees it. The
// connection looks the product instances up once n has connected and
// closes when app stops; until an instance answers, lookups fail with
// Unavailable (503 with Retry-After).
func New(app *kit.App, n *natskit.NATS) (orders.Catalog, error) {
	conn, err := grpckit.Dial(app, n, "product", grpcclient.WithIdempotent(productpb.Catalog_GetProducts_FullMethodName))
	if err != nil {
		return nil, err
	}
	catalog := productpb.NewCatalogClient(conn)
	return func(ctx context.Context, ids []string) ([]orders.Product, error) {
		r, err := catalog.GetProducts(ctx, &productpb.GetProductsRequest{Ids: ids})
		if err != nil {
			return nil, fromStatus(err)
		}
		return decode(r), nil
	}, nil
}

// fromStatus turns a gRPC status into the product service's error kind;
// an unavailable product service says when to try again.
func fromStatus(err error) error {
	err = grpct.FromStatus(err)
	var e *errs.Error
	if errors.As(err, &e) && e.Kind == errs.KindUnavailable && e.RetryAfter == 0 {
		e.RetryAfter = time.Second
	}
	return err
}

func decode(r *productpb.GetProductsReply) []orders.Product {
	out := make([]orders.Product, len(r.GetProducts()))
	for i, p := range r.GetProducts() {
		out[i] = orders.Product{ID: p.GetId(), Name: p.GetName(), PriceCents: p.GetPriceCents()}
	}
	return out
}
