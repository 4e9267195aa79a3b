package recovery_test

import (
	"context"
	"fmt"

	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/middleware/recovery"
)

func Example() {
	r := recovery.New() // add recovery.WithLogger(logger) to log the stack
	e := r.For("divide")(func(_ context.Context, req any) (any, error) {
		n := req.(int)
		return 10 / n, nil
	})
	_, err := e(context.Background(), 0)
	fmt.Println(errs.KindOf(err), err.(*errs.Error).Message)
	// Output: internal internal error
}
