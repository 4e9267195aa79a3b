package api

import (
	"context"

	"github.com/gantrykit/gantry/events"
	"github.com/gantrykit/gantry/examples/shop/order/internal/orders"
)

// Settle handles stock.reserved and stock.rejected: the order moves to
// confirmed or rejected.
func Settle(svc *orders.Service) events.Handler[orders.StockResult] {
	return func(ctx context.Context, ev events.Event[orders.StockResult]) error {
		return svc.Settle(ctx, ev.Data, ev.Subject == orders.SubjectStockReserved)
	}
}
