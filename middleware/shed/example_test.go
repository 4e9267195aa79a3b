package shed_test

import (
	"context"
	"fmt"

	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/middleware/shed"
)

func Example() {
	s := shed.New(shed.WithMaxInFlight(1), shed.WithQueue(0, 0))
	var e func(context.Context, any) (any, error)
	e = s.For("report")(func(ctx context.Context, _ any) (any, error) {
		// A second call while this one is in flight is shed at once.
		_, err := e(ctx, nil)
		fmt.Println("nested call:", errs.KindOf(err), errs.RetryAfterOf(err))
		return "done", nil
	})
	resp, err := e(context.Background(), nil)
	fmt.Println(resp, err)
	// Output:
	// nested call: unavailable 1s
	// done <nil>
}
