package breaker_test

import (
	"context"
	"fmt"

	"github.com/gantrykit/gantry/kit/errs"
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
