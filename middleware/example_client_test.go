package middleware_test

import (
	"context"
	"fmt"
	"time"

	"github.com/gantrykit/gantry/endpoint"
	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/middleware"
)

// The client chain retries only operations declared idempotent, each
// attempt inside its own breaker and timeout.
func ExampleNewClient() {
	c, err := middleware.NewClient(middleware.ClientConfig{
		Retry:   middleware.RetryConfig{Idempotent: []string{"products.get"}, BaseDelay: time.Millisecond},
		Timeout: middleware.TimeoutConfig{Timeout: time.Second},
	}, middleware.Deps{Service: "orders"})
	if err != nil {
		panic(err)
	}
	for _, op := range []string{"products.get", "products.reserve"} {
		attempts := 0
		call := endpoint.Wrap(func(context.Context, int) (string, error) {
			attempts++
			if attempts < 3 {
				return "", errs.Unavailable(0, "instance restarting")
			}
			return "ok", nil
		}, c.For(op)...)
		resp, err := call(context.Background(), 42)
		fmt.Printf("%s: %q %v after %d attempts\n", op, resp, err, attempts)
	}
	// Output:
	// products.get: "ok" <nil> after 3 attempts
	// products.reserve: "" instance restarting after 1 attempts
}
