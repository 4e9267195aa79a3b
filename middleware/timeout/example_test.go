package timeout_test

import (
	"context"
	"fmt"
	"time"

	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/middleware/timeout"
)

func Example() {
	to := timeout.New(time.Second, timeout.WithOp("report", 10*time.Millisecond))
	e := to.For("report")(func(ctx context.Context, _ any) (any, error) {
		select {
		case <-time.After(time.Minute): // a slow query that honours ctx
			return "report", nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	})
	_, err := e(context.Background(), nil)
	fmt.Println(errs.KindOf(err), err.(*errs.Error).Message)
	// Output: deadline_exceeded report timed out after 10ms
}
