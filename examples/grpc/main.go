// Command grpc is step 5 of the Gantry tutorial: one typed endpoint served
// over HTTP and gRPC at once. See README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/gantrykit/gantry/endpoint"
	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/examples/grpc/pricespb"
	"github.com/gantrykit/gantry/kit"
	"github.com/gantrykit/gantry/kit/grpckit"
	grpct "github.com/gantrykit/gantry/transport/grpc"
	httpt "github.com/gantrykit/gantry/transport/http"
)

// PriceRequest names a product.
type PriceRequest struct {
	SKU string `path:"sku"`
}

// Price is a product's price.
type Price struct {
	SKU   string `json:"sku"`
	Cents int64  `json:"cents"`
}

// Catalog is the business logic; it knows neither HTTP nor gRPC.
type Catalog map[string]int64

// GetPrice looks a price up.
func (c Catalog) GetPrice(_ context.Context, req PriceRequest) (Price, error) {
	cents, ok := c[req.SKU]
	if !ok {
		return Price{}, errs.NotFound("no product %q", req.SKU)
	}
	return Price{SKU: req.SKU, Cents: cents}, nil
}

// encodePrice is the codec's other half: the typed response to the
// generated reply message.
func encodePrice(_ context.Context, p Price) (*pricespb.Price, error) {
	return &pricespb.Price{Sku: p.SKU, Cents: p.Cents}, nil
}

func run(ctx context.Context, args []string, getenv func(string) string) error {
	app := kit.New("prices", kit.WithArgs(args), kit.WithGetenv(getenv))
	if err := app.Err(); err != nil {
		return err
	}
	catalog := Catalog{"teapot": 2500, "kettle": 4200}
	getPrice := endpoint.Wrap(catalog.GetPrice, app.Middleware("get_price")...)

	// One endpoint, two transports.
	app.HTTP().Handle("GET /v1/prices/{sku}", httpt.NewServer(getPrice))
	g, err := grpckit.NewServer(app) // serves on GANTRY_GRPC_ADDR, with health and reflection
	if err != nil {
		return err
	}
	grpct.Register(g, &pricespb.Prices_ServiceDesc,
		grpct.Unary(pricespb.Prices_GetPrice_FullMethodName, getPrice,
			func(_ context.Context, r *pricespb.GetPriceRequest) (PriceRequest, error) {
				return PriceRequest{SKU: r.GetSku()}, nil
			}, encodePrice))
	return app.Run(ctx)
}

func main() {
	err := run(context.Background(), os.Args[1:], os.Getenv)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "prices:", err)
		os.Exit(1)
	}
}
