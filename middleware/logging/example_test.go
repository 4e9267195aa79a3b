package logging_test

import (
	"context"
	"log/slog"
	"os"

	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/middleware/logging"
)

func Example() {
	h := slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey || a.Key == "duration" {
				return slog.Attr{} // keep the output stable
			}
			return a
		},
	})
	l := logging.New(slog.New(h))
	ok := l.For("get_order")(func(context.Context, any) (any, error) { return "order", nil })
	bad := l.For("get_order")(func(context.Context, any) (any, error) { return nil, errs.NotFound("no order 7") })
	_, _ = ok(context.Background(), nil) // success at INFO: not logged
	_, _ = bad(context.Background(), nil)
	// Output: level=WARN msg="call failed" op=get_order code=not_found error="no order 7"
}
