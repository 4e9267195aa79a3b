// Package productclient is the order service's client of the product
// service's Catalog over gRPC: instances from NATS-KV discovery (their
// "grpc" transport address), one connection per instance,
// power-of-two-choices balancing, retries on another instance (the lookup
// is idempotent) under a budget, and the App's client middleware.
package productclient

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	kitlb "github.com/go-kit/kit/sd/lb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/gantrykit/gantry/discovery"
	"github.com/gantrykit/gantry/discovery/lb"
	"github.com/gantrykit/gantry/endpoint"
	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/examples/shop/order/internal/orders"
	"github.com/gantrykit/gantry/examples/shop/product/productpb"
	"github.com/gantrykit/gantry/kit"
	"github.com/gantrykit/gantry/kit/natskit"
	grpct "github.com/gantrykit/gantry/transport/grpc"
)

// Client is the product catalog as the order service sees it.
type Client struct {
	lookup atomic.Pointer[endpoint.Func[[]string, []orders.Product]]
}

// New wires the client into app: it is built once n has connected (a start
// hook) and closed at stop. Until then, and while no product instance is
// registered, Lookup answers Unavailable (503 with Retry-After).
func New(app *kit.App, n *natskit.NATS) *Client {
	c := &Client{}
	var conn *conn
	app.OnStart("product-client", func(ctx context.Context) error {
		cc, err := dial(ctx, app, n)
		if err != nil {
			return err
		}
		conn = cc
		f := endpoint.Wrap(cc.lookup, app.ClientMiddleware("product.get_products")...)
		c.lookup.Store(&f)
		return nil
	})
	app.OnStop("product-client", func(context.Context) error {
		if conn != nil {
			conn.close()
		}
		return nil
	})
	return c
}

// Lookup is an orders.Catalog.
func (c *Client) Lookup(ctx context.Context, ids []string) ([]orders.Product, error) {
	f := c.lookup.Load()
	if f == nil {
		return nil, errs.Unavailable(time.Second, "product service not connected yet")
	}
	return (*f)(ctx, ids)
}

// conn is the balanced connection to the product instances.
type conn struct {
	inst, sel discovery.Instancer
	bal       *lb.Balancer
	lookup    endpoint.Func[[]string, []orders.Product]
}

func dial(ctx context.Context, app *kit.App, n *natskit.NATS) (*conn, error) {
	inst, err := n.Instancer(ctx, "product")
	if err != nil {
		return nil, err
	}
	sel := discovery.Select(inst, discovery.Transport("grpc"))
	opts := append(grpct.DialOptions(grpct.WithTracerProvider(app.TracerProvider()), grpct.WithPropagator(app.Propagator())),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	factory := grpct.Factory(productpb.Catalog_GetProducts_FullMethodName, encodeLookup, decodeLookup, opts)
	bal := lb.New(sel, factory, lb.P2C(), lb.Options{Logger: app.Logger()})
	call := endpoint.Typed[[]string, []orders.Product](lb.Retry(bal, lb.RetryOptions{Idempotent: true}))
	return &conn{inst: inst, sel: sel, bal: bal, lookup: func(ctx context.Context, ids []string) ([]orders.Product, error) {
		ps, err := call(ctx, ids)
		return ps, noInstance(err)
	}}, nil
}

// noInstance turns the balancer's "no instance" into an Unavailable error
// (503 with Retry-After); other errors pass unchanged.
func noInstance(err error) error {
	if errors.Is(err, kitlb.ErrNoEndpoints) {
		return errs.Unavailable(time.Second, "no product service instance")
	}
	return err
}

func (c *conn) close() {
	c.bal.Close()
	c.sel.Stop()
	c.inst.Stop()
}

func encodeLookup(_ context.Context, ids []string) (*productpb.GetProductsRequest, error) {
	return &productpb.GetProductsRequest{Ids: ids}, nil
}

func decodeLookup(_ context.Context, r *productpb.GetProductsReply) ([]orders.Product, error) {
	out := make([]orders.Product, len(r.GetProducts()))
	for i, p := range r.GetProducts() {
		out[i] = orders.Product{ID: p.GetId(), Name: p.GetName(), PriceCents: p.GetPriceCents()}
	}
	return out, nil
}
