package retry_test

import (
	"context"
	"fmt"
	"time"

	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/middleware/retry"
)

func Example() {
	r := retry.New(retry.WithIdempotent("get_product"), retry.WithBackoff(time.Millisecond, 10*time.Millisecond))
	attempt := 0
	e := r.For("get_product")(func(context.Context, any) (any, error) {
		attempt++
		if attempt < 3 {
			return nil, errs.Unavailable(0, "instance restarting")
		}
		return "product 42", nil
	})
	resp, err := e(context.Background(), nil)
	fmt.Println(resp, err, "after", attempt, "attempts")
	// Output: product 42 <nil> after 3 attempts
}
