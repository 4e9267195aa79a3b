// Command order runs the shop's order service alone, for the many-processes
// mode: point GANTRY_NATS_URL at a NATS server with JetStream (events and
// NATS-KV discovery go through it), and start the other commands beside it.
//
//	GANTRY_NATS_URL=nats://127.0.0.1:4222 GANTRY_DATA_DIR=./shop-data go run ./examples/shop/cmd/order
//
// Defaults: HTTP :8083, admin :9093, gRPC :50063. Every kit flag and GANTRY_*
// variable applies (-h lists them).
package main

import (
	"github.com/gantrykit/gantry/examples/shop/internal/cmdutil"
	"github.com/gantrykit/gantry/examples/shop/order"
	"github.com/gantrykit/gantry/kit"
)

func main() {
	cmdutil.Main("order", func(args []string, getenv func(string) string) (*kit.App, error) {
		s, err := order.New(args, cmdutil.Defaults(getenv, map[string]string{
			"GANTRY_HTTP_ADDR": ":8083", "GANTRY_ADMIN_ADDR": ":9093", "GANTRY_GRPC_ADDR": ":50063",
		}))
		if err != nil {
			return nil, err
		}
		return s.App, nil
	})
}
