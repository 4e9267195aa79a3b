package nats_test

import (
	"context"
	"fmt"

	"github.com/gantrykit/gantry/errs"
	natst "github.com/gantrykit/gantry/transport/nats"
	"github.com/gantrykit/gantry/transport/nats/embedded"
)

func Example() {
	srv, err := embedded.Start(embedded.Options{}) // or Connect to a cluster
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Shutdown()
	nc, err := natst.Connect(srv.URL(), "example", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer nc.Close()

	type Req struct{ Name string }
	greet := func(_ context.Context, r Req) (string, error) {
		if r.Name == "" {
			return "", errs.InvalidField("name", "is required")
		}
		return "hello " + r.Name, nil
	}
	sub, _ := natst.NewSubscriber(greet, natst.DecodeJSON[Req], natst.EncodeJSON[string]).Subscribe(nc, "greet", "greeter")
	defer sub.Drain()

	call := natst.NewClient(nc, "greet", natst.EncodeJSON[Req], natst.DecodeJSON[string])
	fmt.Println(call(context.Background(), Req{Name: "ada"}))
	_, err = call(context.Background(), Req{})
	fmt.Println(errs.KindOf(err), err)
	// Output:
	// hello ada <nil>
	// invalid_argument name: is required
}
