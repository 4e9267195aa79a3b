package order

import (
	"context"
	"errors"
	"time"

	kitlb "github.com/go-kit/kit/sd/lb"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/gantrykit/gantry/discovery"
	"github.com/gantrykit/gantry/discovery/lb"
	"github.com/gantrykit/gantry/endpoint"
	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/examples/shop/product/productpb"
	"github.com/gantrykit/gantry/kit"
	"github.com/gantrykit/gantry/kit/natskit"
	grpct "github.com/gantrykit/gantry/transport/grpc"
)

// productClient calls the product service's Catalog over gRPC: instances
// from NATS-KV discovery (their "grpc" transport address), one connection
// per instance, power-of-two-choices balancing, retries on another instance
// (the lookup is idempotent) under a budget.
type productClient struct {
	inst, sel discovery.Instancer
	bal       *lb.Balancer
	lookup    endpoint.Func[[]string, []Product]
}

func newProductClient(ctx context.Context, app *kit.App, n *natskit.NATS) (*productClient, error) {
	inst, err := n.Instancer(ctx, "product")
	if err != nil {
		return nil, err
	}
	sel := discovery.Select(inst, discovery.Transport("grpc"))
	dial := append(grpct.DialOptions(grpct.WithTracerProvider(app.TracerProvider()), grpct.WithPropagator(app.Propagator())),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	factory := grpct.Factory(productpb.Catalog_GetProducts_FullMethodName, encodeLookup, decodeLookup, dial)
	bal := lb.New(sel, factory, lb.P2C(), lb.Options{Logger: app.Logger()})
	call := endpoint.Typed[[]string, []Product](lb.Retry(bal, lb.RetryOptions{Idempotent: true}))
	return &productClient{inst: inst, sel: sel, bal: bal, lookup: func(ctx context.Context, ids []string) ([]Product, error) {
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

func (c *productClient) close() {
	c.bal.Close()
	c.sel.Stop()
	c.inst.Stop()
}

func encodeLookup(_ context.Context, ids []string) (*productpb.GetProductsRequest, error) {
	return &productpb.GetProductsRequest{Ids: ids}, nil
}

func decodeLookup(_ context.Context, r *productpb.GetProductsReply) ([]Product, error) {
	out := make([]Product, len(r.GetProducts()))
	for i, p := range r.GetProducts() {
		out[i] = Product{ID: p.GetId(), Name: p.GetName(), PriceCents: p.GetPriceCents()}
	}
	return out, nil
}
