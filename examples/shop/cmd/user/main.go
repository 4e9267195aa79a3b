// Command user runs the shop's user service alone, for the many-processes
// mode: point GANTRY_NATS_URL at a NATS server with JetStream (events and
// NATS-KV discovery go through it), and start the other commands beside it.
//
//	GANTRY_NATS_URL=nats://127.0.0.1:4222 GANTRY_DATA_DIR=./shop-data go run ./examples/shop/cmd/user
//
// Defaults: HTTP :8081, admin :9091, gRPC :50061. Every kit flag and GANTRY_*
// variable applies (-h lists them).
package main

import (
	"github.com/gantrykit/gantry/examples/shop/internal/cmdutil"
	"github.com/gantrykit/gantry/examples/shop/user"
	"github.com/gantrykit/gantry/kit"
)

func main() {
	cmdutil.Main("user", func(args []string, getenv func(string) string) (*kit.App, error) {
		s, err := user.New(args, cmdutil.Defaults(getenv, map[string]string{
			"GANTRY_HTTP_ADDR": ":8081", "GANTRY_ADMIN_ADDR": ":9091", "GANTRY_GRPC_ADDR": ":50061",
		}))
		if err != nil {
			return nil, err
		}
		return s.App, nil
	})
}
