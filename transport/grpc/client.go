package grpc

import (
	"context"
	"fmt"
	"io"
	"reflect"

	kitendpoint "github.com/go-kit/kit/endpoint"
	"github.com/go-kit/kit/sd"
	kitgrpc "github.com/go-kit/kit/transport/grpc"
	"google.golang.org/grpc"

	"github.com/gantrykit/gantry/endpoint"
)

// NewClient returns a typed endpoint that calls fullMethod (such as
// pb.Greeter_Greet_FullMethodName) on cc. enc turns the endpoint's request
// into the protobuf request, dec turns the protobuf reply (a pointer to the
// generated message) into the endpoint's response.
//
// The context's deadline travels with the call and the server sees it.
// Errors come back as *errs.Error of the kind the server returned, with its
// message ([FromStatus]); a call that could not reach the server is
// Unavailable, one that ran out of time DeadlineExceeded. The endpoint is
// safe for concurrent use.
func NewClient[Req, Resp, PReq, PResp any](
	cc *grpc.ClientConn,
	fullMethod string,
	enc func(context.Context, Req) (PReq, error),
	dec func(context.Context, PResp) (Resp, error),
	opts ...kitgrpc.ClientOption,
) endpoint.Func[Req, Resp] {
	return endpoint.Typed[Req, Resp](clientEndpoint(cc, fullMethod, enc, dec, opts))
}

func clientEndpoint[Req, Resp, PReq, PResp any](
	cc *grpc.ClientConn,
	fullMethod string,
	enc func(context.Context, Req) (PReq, error),
	dec func(context.Context, PResp) (Resp, error),
	opts []kitgrpc.ClientOption,
) kitendpoint.Endpoint {
	kenc := func(ctx context.Context, r any) (any, error) {
		v, ok := r.(Req)
		if !ok && r != nil {
			return nil, typeError[Req](r)
		}
		return enc(ctx, v)
	}
	kdec := func(ctx context.Context, r any) (any, error) {
		p, ok := r.(PResp)
		if !ok {
			return nil, typeError[PResp](r)
		}
		return dec(ctx, p)
	}
	service, method := splitMethod(fullMethod)
	// go-kit allocates a fresh reply per call from this prototype's type.
	var reply any = *new(PResp)
	if t := reflect.TypeFor[PResp](); t.Kind() == reflect.Pointer {
		reply = reflect.New(t.Elem()).Interface()
	}
	e := kitgrpc.NewClient(cc, service, method, kenc, kdec, reply, opts...).Endpoint()
	return func(ctx context.Context, req any) (any, error) {
		resp, err := e(ctx, req)
		if err != nil {
			return nil, FromStatus(err)
		}
		return resp, nil
	}
}

// Factory returns a go-kit sd.Factory for a discovered gRPC service: for
// each instance address it opens a connection (lazily, with dialOpts, for
// example DialOptions(...) plus credentials) and returns the erased
// endpoint and the connection as the io.Closer. Use it with go-kit's
// sd.NewEndpointer and a balancer, then endpoint.Typed to get a typed
// client back. go-kit closes a connection when its instance leaves the
// instancer, not when the Endpointer is closed.
func Factory[Req, Resp, PReq, PResp any](
	fullMethod string,
	enc func(context.Context, Req) (PReq, error),
	dec func(context.Context, PResp) (Resp, error),
	dialOpts []grpc.DialOption,
	opts ...kitgrpc.ClientOption,
) sd.Factory {
	return func(instance string) (kitendpoint.Endpoint, io.Closer, error) {
		cc, err := grpc.NewClient(instance, dialOpts...)
		if err != nil {
			return nil, nil, fmt.Errorf("grpc: dial %s: %w", instance, err)
		}
		return clientEndpoint(cc, fullMethod, enc, dec, opts), cc, nil
	}
}

func typeError[T any](got any) error {
	return &endpoint.TypeError{Want: reflect.TypeFor[T](), Got: reflect.TypeOf(got)}
}
