package api

import (
	"context"

	"github.com/gantrykit/gantry/events"
	"github.com/gantrykit/gantry/examples/shop/product/internal/products"
)

// Reserve handles orders.created: the order's stock is reserved, or not,
// and the outcome goes out as a stock.* event.
func Reserve(svc *products.Service) events.Handler[products.OrderCreated] {
	return func(ctx context.Context, ev events.Event[products.OrderCreated]) error {
		return svc.Reserve(ctx, ev.Data)
	}
}
