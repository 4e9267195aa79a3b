package endpoint

import (
	"context"
	"fmt"
	"reflect"

	kitendpoint "github.com/go-kit/kit/endpoint"
)

// Func is a typed endpoint: one operation of a service. It must be safe for
// concurrent use if the service is.
type Func[Req, Resp any] func(ctx context.Context, req Req) (Resp, error)

// Endpoint erases f's types. The returned go-kit endpoint answers a request
// that is not a Req with a *TypeError. A nil request is accepted as the zero
// Req when Req is a pointer, interface, map, slice or func type.
func (f Func[Req, Resp]) Endpoint() kitendpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req, ok := request.(Req)
		if !ok && request != nil {
			return nil, &TypeError{Want: typeOf[Req](), Got: reflect.TypeOf(request), Request: true}
		}
		return f(ctx, req)
	}
}

// Typed restores the types of a go-kit endpoint. A response that is not a
// Resp is a *TypeError; a nil response with a nil error is the zero Resp.
func Typed[Req, Resp any](e kitendpoint.Endpoint) Func[Req, Resp] {
	return func(ctx context.Context, req Req) (Resp, error) {
		var zero Resp
		resp, err := e(ctx, req)
		if resp == nil {
			return zero, err
		}
		r, ok := resp.(Resp)
		if !ok {
			if err != nil {
				return zero, err
			}
			return zero, &TypeError{Want: typeOf[Resp](), Got: reflect.TypeOf(resp)}
		}
		return r, err
	}
}

// Wrap applies go-kit middleware to f and returns a Func of the same types.
// mws[0] is the outermost, as with go-kit's endpoint.Chain: the request
// passes through them in the order given. With no middleware, Wrap returns f
// unchanged.
func Wrap[Req, Resp any](f Func[Req, Resp], mws ...kitendpoint.Middleware) Func[Req, Resp] {
	if len(mws) == 0 {
		return f
	}
	return Typed[Req, Resp](Chain(mws...)(f.Endpoint()))
}

// Chain composes middleware so that mws[0] is outermost (sees the request
// first). Nil entries are skipped, so a chain built from optional parts can
// leave holes. Chain() is the identity.
func Chain(mws ...kitendpoint.Middleware) kitendpoint.Middleware {
	return func(next kitendpoint.Endpoint) kitendpoint.Endpoint {
		for i := len(mws) - 1; i >= 0; i-- {
			if mws[i] != nil {
				next = mws[i](next)
			}
		}
		return next
	}
}

// TypeError reports a request or response whose dynamic type is not the one
// a typed endpoint expects: a wiring bug, not a client error. Error kinds
// treat it as Internal.
type TypeError struct {
	Want, Got reflect.Type
	Request   bool // true for a request, false for a response
}

// Error names the expected and the actual type.
func (e *TypeError) Error() string {
	what := "response"
	if e.Request {
		what = "request"
	}
	return fmt.Sprintf("endpoint: %s of type %v, want %v", what, e.Got, e.Want)
}

func typeOf[T any]() reflect.Type { return reflect.TypeFor[T]() }
