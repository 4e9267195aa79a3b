package breaker_test

import (
	"context"
	"fmt"

	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/middleware/breaker"
)

func Example() {
	b := breaker.New() // classic: 5 failures in a row open it for 10s
	e := b.For("charge")(func(context.Context, any) (any, error) {
		return nil, errs.Unavailable(0, "payment provider down")
	})
	for i := range 6 {
		_, err := e(context.Background(), nil)
		fmt.Println(i, err)
	}
	// Output:
	// 0 payment provider down
	// 1 payment provider down
	// 2 payment provider down
	// 3 payment provider down
	// 4 payment provider down
	// 5 circuit breaker open, retry later
}

// SetTrip changes when every breaker of b opens, while calls go through;
// a breaker keeps what it has counted.
func ExampleBreaker_SetTrip() {
	b := breaker.New() // 5 failures in a row open it
	e := b.For("charge")(func(context.Context, any) (any, error) {
		return nil, errs.Unavailable(0, "payment provider down")
	})
	_, err := e(context.Background(), nil)
	fmt.Println(err)
	b.SetTrip(breaker.DefaultMinRequests, breaker.DefaultFailureRatio, 2) // now 2 in a row
	for range 2 {
		_, err := e(context.Background(), nil)
		fmt.Println(err)
	}
	// Output:
	// payment provider down
	// payment provider down
	// circuit breaker open, retry later
}
