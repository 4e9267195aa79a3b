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

// Endpoints are the service's operations as typed endpoints. Every
// transport serves the same ones, so the policy is the same on each.
type Endpoints struct {
	Create endpoint.Func[items.CreateRequest, items.Item]
	Get    endpoint.Func[items.GetRequest, items.Item]
	List   endpoint.Func[items.ListRequest, items.List]
}

// NewEndpoints wraps each method of svc in the chain for its operation
// name, the one its HTTP operation carries (ops.go). The names label
// metrics and key per-operation state (limits), and name the operations
// in the OpenAPI document: keep them short and fixed.
func NewEndpoints(svc *items.Service, chain Chain) Endpoints {
	return Endpoints{
		Create: wrap(svc.Create, chain, CreateItem.Name),
		Get:    wrap(svc.Get, chain, GetItem.Name),
		List:   wrap(svc.List, chain, ListItems.Name),
	}
}

func wrap[Req, Resp any](f endpoint.Func[Req, Resp], chain Chain, op string) endpoint.Func[Req, Resp] {
	f = withKinds(f)
	if chain == nil {
		return f
	}
	return endpoint.Wrap(f, chain(op)...)
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
