// Package api adapts the items service to the outside world: each
// operation defined once (ops.go), wrapped in the middleware chain and
// served over HTTP (with its OpenAPI document) and gRPC. Business rules
// live in package items.
package api

import (
	"context"
	"errors"

	kitendpoint "github.com/go-kit/kit/endpoint"

	"github.com/gantrykit/gantry/endpoint"
	"github.com/gantrykit/gantry/errs"

	"github.com/gantrykit/gantry/templates/service/internal/items"
)

// Chain returns the middleware for one operation, outermost first: the
// App's Middleware method in the service (recovery, tracing, metrics,
// logging, shed, rate limit, timeout), nil for none.
type Chain func(op string) []kitendpoint.Middleware

// For returns the middleware of the operation op (none for a nil Chain).
// The operation names label metrics and key per-operation state (limits),
// and name the operations in the OpenAPI document: keep them short and
// fixed. The HTTP servers run the chain (httpt.WithMiddleware), so that a
// request refused before the endpoint (400 on a malformed body or a
// failed validation, 413) passes through it too: rpc_server_* counts it
// and it is logged. The gRPC methods wrap their endpoint in it.
func (c Chain) For(op string) []kitendpoint.Middleware {
	if c == nil {
		return nil
	}
	return c(op)
}

// withKinds gives the service's errors their kinds, innermost, so that the
// middleware sees them too: a caller's mistake counts as a client error,
// not as the service's fault.
func withKinds[Req, Resp any](f endpoint.Func[Req, Resp]) endpoint.Func[Req, Resp] {
	return func(ctx context.Context, req Req) (Resp, error) {
		resp, err := f(ctx, req)
		return resp, Kind(err)
	}
}

// Kind maps the service's errors onto the error table (package errs): the
// one place where business errors meet status codes.
func Kind(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, items.ErrNotFound):
		return errs.Wrap(errs.KindNotFound, err, "%s", err.Error())
	case errors.Is(err, items.ErrInvalid):
		return errs.Wrap(errs.KindInvalidArgument, err, "%s", err.Error())
	}
	return err
}
