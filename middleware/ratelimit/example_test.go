package ratelimit_test

import (
	"context"
	"fmt"
	"math"

	"github.com/gantrykit/gantry/errs"
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

// A limiter made with an infinite rate lets every call through for the
// cost of one atomic load, until SetRate gives it a finite rate, for
// example when a configuration overlay turns rate limiting on.
func ExampleLimiter_SetRate() {
	l := ratelimit.New(math.Inf(1), 1)
	e := l.For("search")(func(context.Context, any) (any, error) { return "results", nil })
	for range 2 {
		_, err := e(context.Background(), nil)
		fmt.Println("unlimited:", err == nil)
	}
	l.SetRate(0.1, 1)
	for range 2 {
		_, err := e(context.Background(), nil)
		fmt.Println("0.1/s:", err == nil)
	}
	// Output:
	// unlimited: true
	// unlimited: true
	// 0.1/s: true
	// 0.1/s: false
}
