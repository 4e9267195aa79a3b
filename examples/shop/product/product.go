package product

import (
	"github.com/gantrykit/gantry/examples/shop/internal/shopkit"
	"github.com/gantrykit/gantry/examples/shop/product/internal/api"
	"github.com/gantrykit/gantry/examples/shop/product/internal/products"
	"github.com/gantrykit/gantry/examples/shop/product/internal/store"
	"github.com/gantrykit/gantry/kit"
	"github.com/gantrykit/gantry/kit/grpckit"
)

// Config is the product service's own configuration (PRODUCT_* variables).
type Config = shopkit.Config

// Server is the product service assembled on a kit.App: HTTP catalog API,
// gRPC Catalog, orders.created consumer and outbox relay.
type Server struct{ *shopkit.Server }

// New builds the product service from args and the environment (see
// Config and package kit); it opens and migrates the database. Run the App;
// its stop hooks close the database.
func New(args []string, getenv func(string) string, opts ...kit.Option) (*Server, error) {
	s, err := shopkit.NewServer("product", store.Open, products.StreamOrders, args, getenv, opts...)
	if err != nil {
		return nil, err
	}
	svc := products.NewService(store.New(s.DB, s.Relay.Notify))
	g, err := grpckit.NewServer(s.App)
	if err != nil {
		return nil, err
	}
	api.Serve(s.App.HTTP(), g, svc, api.NewChain(s.App.Middleware, s.Verifier))
	s.NATS.Register(kit.Registration{GRPC: g})
	shopkit.Consume(s.NATS, s.DB, s.Relay, products.StreamOrders, "product-reserve", products.SubjectOrderCreated, api.Reserve(svc))
	return &Server{s}, nil
}
