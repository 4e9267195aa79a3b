package lb_test

import (
	"context"
	"fmt"
	"io"

	"github.com/gantrykit/gantry/discovery/lb"
	"github.com/gantrykit/gantry/discovery/static"
	"github.com/go-kit/kit/endpoint"
)

// A balancer over an instancer: the factory turns each address into an
// endpoint (in a real client, an HTTP or gRPC call to that address), and
// each call goes to the instance the policy picks.
func ExampleNew() {
	instances := static.Fixed("orders", "10.0.0.1:8080", "10.0.0.2:8080")
	factory := func(addr string) (endpoint.Endpoint, io.Closer, error) {
		return func(ctx context.Context, req any) (any, error) {
			return "answered by " + addr, nil
		}, nil, nil
	}
	bal := lb.New(instances, factory, lb.RoundRobin(), lb.Options{})
	defer bal.Close()

	for range 3 {
		ep, err := bal.Endpoint()
		if err != nil {
			fmt.Println(err)
			return
		}
		resp, _ := ep(context.Background(), "get order 42")
		fmt.Println(resp)
	}
	// Output:
	// answered by 10.0.0.1:8080
	// answered by 10.0.0.2:8080
	// answered by 10.0.0.1:8080
}
