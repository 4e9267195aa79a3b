// Package api adapts the items service to the outside world: typed
// endpoints wrapped in the middleware chain, HTTP routes (and their OpenAPI
// document) and gRPC handlers. Business rules live in package items.
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

// Endpoints are the service's operations as typed endpoints, and the
// middleware chain each transport puts around them, so the policy is the
// same on each.
type Endpoints struct {
	Create endpoint.Func[items.CreateRequest, items.Item]
	Get    endpoint.Func[items.GetRequest, items.Item]
	List   endpoint.Func[items.ListRequest, items.List]
	// Chain gives an operation's middleware by its name, the one its HTTP
	// operation carries (ops.go); nil for none. The HTTP routes give it to
	// their servers (httpt.WithMiddleware), so that a request refused
	// before the endpoint (400 on a malformed body or a failed
	// validation, 413) passes through it too: rpc_server_* counts it and
	// it is logged. The gRPC handlers wrap their endpoint in it.
	Chain Chain
}

// NewEndpoints adapts each method of svc, with chain for their
// middleware. The operation names label metrics and key per-operation
// state (limits), and name the operations in the OpenAPI document: keep
// them short and fixed.
func NewEndpoints(svc *items.Service, chain Chain) Endpoints {
	return Endpoints{
		Create: withKinds(svc.Create),
		Get:    withKinds(svc.Get),
		List:   withKinds(svc.List),
		Chain:  chain,
	}
}

// For returns the middleware of the operation op (none without a Chain).
func (e Endpoints) For(op string) []kitendpoint.Middleware {
	if e.Chain == nil {
		return nil
	}
	return e.Chain(op)
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
