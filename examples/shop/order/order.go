package order

import (
	"github.com/gantrykit/gantry/examples/shop/internal/shopkit"
	"github.com/gantrykit/gantry/examples/shop/order/internal/api"
	"github.com/gantrykit/gantry/examples/shop/order/internal/orders"
	"github.com/gantrykit/gantry/examples/shop/order/internal/productclient"
	"github.com/gantrykit/gantry/examples/shop/order/internal/store"
	"github.com/gantrykit/gantry/kit"
)

// Config is the order service's own configuration (ORDER_* variables).
type Config = shopkit.Config

// Server is the order service assembled on a kit.App: HTTP order API, a
// gRPC client of the product service found through NATS-KV discovery, the
// stock.* consumer and the outbox relay.
type Server struct{ *shopkit.Server }

// New builds the order service from args and the environment (see Config
// and package kit); it opens and migrates the database.
func New(args []string, getenv func(string) string, opts ...kit.Option) (*Server, error) {
	s, err := shopkit.NewServer("order", store.Open, orders.StreamStock, args, getenv, opts...)
	if err != nil {
		return nil, err
	}
	products, err := productclient.New(s.App, s.NATS)
	if err != nil {
		return nil, err
	}
	svc := orders.NewService(store.New(s.DB, s.Relay.Notify), products)
	api.Routes(s.App.HTTP(), api.NewEndpoints(svc, s.App.Middleware, s.Verifier))
	s.NATS.Register(kit.Registration{})
	shopkit.Consume(s.NATS, s.DB, nil, orders.StreamStock, "order-settle", "stock.*", api.Settle(svc))
	return &Server{s}, nil
}
