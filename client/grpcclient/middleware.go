package grpcclient

import (
	"context"
	"sync"

	kitendpoint "github.com/go-kit/kit/endpoint"
	"google.golang.org/grpc"

	grpct "github.com/gantrykit/gantry/transport/grpc"
)

// chains runs go-kit endpoint middleware around a connection's unary calls
// (outside the retries), built once per method by the WithMiddleware
// function.
type chains struct {
	forMethod func(fullMethod string) []kitendpoint.Middleware
	built     sync.Map // full method → kitendpoint.Endpoint
}

// call is one unary call handed through the middleware as its request.
type call struct {
	method      string
	req, reply  any
	cc          *grpc.ClientConn
	invoker     grpc.UnaryInvoker
	callOptions []grpc.CallOption
}

// invoke is the innermost endpoint: the call itself, its error turned into
// an *errs.Error so that the middleware sees the server's kind.
func invoke(ctx context.Context, r any) (any, error) {
	c := r.(*call)
	if err := c.invoker(ctx, c.method, c.req, c.reply, c.cc, c.callOptions...); err != nil {
		return nil, grpct.FromStatus(err)
	}
	return c.reply, nil
}

func (c *chains) unary(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	ep, ok := c.built.Load(method)
	if !ok {
		e := kitendpoint.Endpoint(invoke)
		mws := c.forMethod(method)
		for i := len(mws) - 1; i >= 0; i-- {
			if mws[i] != nil {
				e = mws[i](e)
			}
		}
		ep, _ = c.built.LoadOrStore(method, e)
	}
	_, err := ep.(kitendpoint.Endpoint)(ctx, &call{method, req, reply, cc, invoker, opts})
	// The caller of a ClientConn expects gRPC status errors; the kind, the
	// message, field violations and retry hints survive the round trip.
	return grpct.ToStatus(err)
}
