// Command kratos serves GET /v1/hello/{name} with kratos' HTTP server and the
// middleware its project layout wires by default (recovery), the handler
// written the way kratos' generated code is: through ctx.Middleware.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/go-kratos/kratos/v2"
	"github.com/go-kratos/kratos/v2/log"
	"github.com/go-kratos/kratos/v2/middleware/recovery"
	khttp "github.com/go-kratos/kratos/v2/transport/http"
)

type greeting struct {
	Message string `json:"message"`
}

func main() {
	listen := flag.String("listen", "127.0.0.1:8080", "listen address")
	flag.Parse()
	srv := khttp.NewServer(khttp.Address(*listen), khttp.Middleware(recovery.Recovery()))
	srv.Route("/").GET("/v1/hello/{name}", func(ctx khttp.Context) error {
		name := ctx.Vars().Get("name")
		h := ctx.Middleware(func(context.Context, any) (any, error) {
			return &greeting{Message: "Hello, " + name + "!"}, nil
		})
		out, err := h(ctx, name)
		if err != nil {
			return err
		}
		return ctx.Result(200, out)
	})
	app := kratos.New(kratos.Name("hello"), kratos.Server(srv), kratos.Logger(log.NewStdLogger(os.Stderr)))
	if err := app.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "kratos:", err)
		os.Exit(1)
	}
}
