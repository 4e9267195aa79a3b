package ratelimit_test

import (
	"context"
	"fmt"

	"github.com/gantrykit/gantry/kit/errs"
	"github.com/gantrykit/gantry/middleware/ratelimit"
)

func Example() {
	l := ratelimit.New(0.1, 2) // a call every 10s on average, bursts of 2, per operation
	e := l.For("search")(func(context.Context, any) (any, error) { return "results", nil })
	for range 3 {
		resp, err := e(context.Background(), nil)
		fmt.Println(resp, errs.KindOf(err) == errs.KindTooManyRequests && errs.RetryAfterOf(err) > 0)
	}
	// Output:
	// results false
	// results false
	// <nil> true
}
