// Command product runs the shop's product service alone, for the many-processes
// mode: point GANTRY_NATS_URL at a NATS server with JetStream (events and
// NATS-KV discovery go through it), and start the other commands beside it.
//
//	GANTRY_NATS_URL=nats://127.0.0.1:4222 GANTRY_DATA_DIR=./shop-data go run ./examples/shop/cmd/product
//
// Defaults: HTTP :8082, admin :9092, gRPC :50062. Every kit flag and GANTRY_*
// variable applies (-h lists them).
package main

import (
	"github.com/gantrykit/gantry/examples/shop/internal/cmdutil"
	"github.com/gantrykit/gantry/examples/shop/product"
	"github.com/gantrykit/gantry/kit"
)

func main() {
	cmdutil.Main("product", func(args []string, getenv func(string) string) (*kit.App, error) {
		s, err := product.New(args, cmdutil.Defaults(getenv, map[string]string{
			"GANTRY_HTTP_ADDR": ":8082", "GANTRY_ADMIN_ADDR": ":9092", "GANTRY_GRPC_ADDR": ":50062",
		}))
		if err != nil {
			return nil, err
		}
		return s.App, nil
	})
}
