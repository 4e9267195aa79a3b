package endpoint_test

import (
	"context"
	"fmt"

	"github.com/gantrykit/gantry/endpoint"
	kitendpoint "github.com/go-kit/kit/endpoint"
)

func ExampleWrap() {
	logging := func(next kitendpoint.Endpoint) kitendpoint.Endpoint {
		return func(ctx context.Context, req any) (any, error) {
			fmt.Printf("request %+v\n", req)
			return next(ctx, req)
		}
	}
	// greet keeps its types; the go-kit middleware sees the erased request.
	f := endpoint.Wrap(greet, logging)
	resp, err := f(context.Background(), greetReq{Name: "Ada"})
	fmt.Println(resp.Message, err)
	// Output:
	// request {Name:Ada}
	// hello Ada <nil>
}
