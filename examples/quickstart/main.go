// Command quickstart is the README's quickstart, kept here so that it
// compiles: a root test checks the README shows this code unchanged.
package main

import (
	"context"
	"log"

	"github.com/gantrykit/gantry/endpoint"
	"github.com/gantrykit/gantry/kit"
	httpt "github.com/gantrykit/gantry/transport/http"
)

type GreetRequest struct {
	Name string `path:"name" validate:"required,max=64"`
}

type Answer struct {
	Message string `json:"message"`
}

func greet(_ context.Context, req GreetRequest) (Answer, error) {
	return Answer{Message: "Hello, " + req.Name + "!"}, nil
}

func main() {
	app := kit.New("greeter") // config: -config file, GANTRY_* env, flags

	// The default chain: limits, metrics, traces, logs.
	g := endpoint.Wrap(greet, app.Middleware("greet")...)
	app.HTTP().Handle("GET /v1/hello/{name}", httpt.NewServer(g))
	if err := app.Run(context.Background()); err != nil { // until SIGTERM, then drains
		log.Fatal(err)
	}
}
