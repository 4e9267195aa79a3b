package grpc

import (
	"context"

	kitgrpc "github.com/go-kit/kit/transport/grpc"

	"github.com/gantrykit/gantry/endpoint"
)

// Handler serves one unary RPC with a typed endpoint. PReq and PResp are the
// generated protobuf messages. [Unary] and [Register] use one per method
// and need no implementation of the generated interface; a service that
// implements it by hand (one that also streams) calls a Handler from a
// one-line method:
//
//	func (s *server) Greet(ctx context.Context, r *pb.GreetRequest) (*pb.GreetReply, error) {
//		return s.greet.Serve(ctx, r)
//	}
//
// A Handler is safe for concurrent use if its endpoint and codecs are.
type Handler[PReq, PResp any] struct {
	kit   *kitgrpc.Server                            // with go-kit options
	serve func(context.Context, PReq) (PResp, error) // without: dec, endpoint, enc
}

// NewHandler builds a Handler from a typed endpoint and two codec funcs:
// dec turns the protobuf request into the endpoint's request, enc turns the
// endpoint's response into the protobuf reply. go-kit server options
// (ServerBefore, ServerFinalizer...) apply as usual: with any, the call runs
// through go-kit's grpc.Server, which copies the request metadata for its
// ServerBefore funcs; with none, the Handler calls dec, the endpoint and
// enc itself and skips that copy.
//
// Errors from dec, the endpoint or enc reach the client as gRPC statuses
// through [ToStatus]: a decode error should be an errs.InvalidArgument, any
// plain error is Internal and its text is not sent.
func NewHandler[PReq, PResp, Req, Resp any](
	f endpoint.Func[Req, Resp],
	dec func(context.Context, PReq) (Req, error),
	enc func(context.Context, Resp) (PResp, error),
	opts ...kitgrpc.ServerOption,
) *Handler[PReq, PResp] {
	if len(opts) == 0 {
		return &Handler[PReq, PResp]{serve: func(ctx context.Context, p PReq) (PResp, error) {
			var zero PResp
			req, err := dec(ctx, p)
			if err != nil {
				return zero, err
			}
			resp, err := f(ctx, req)
			if err != nil {
				return zero, err
			}
			return enc(ctx, resp)
		}}
	}
	kdec := func(ctx context.Context, r any) (any, error) {
		p, ok := r.(PReq)
		if !ok {
			return nil, typeError[PReq](r)
		}
		return dec(ctx, p)
	}
	kenc := func(ctx context.Context, r any) (any, error) {
		v, ok := r.(Resp)
		if !ok && r != nil {
			return nil, typeError[Resp](r)
		}
		return enc(ctx, v)
	}
	return &Handler[PReq, PResp]{kit: kitgrpc.NewServer(f.Endpoint(), kdec, kenc, opts...)}
}

// Serve runs one call: decode, endpoint, encode. The returned error is a
// gRPC status error, ready to return from the generated interface method.
func (h *Handler[PReq, PResp]) Serve(ctx context.Context, req PReq) (PResp, error) {
	var zero PResp
	if h.serve != nil {
		r, err := h.serve(ctx, req)
		if err != nil {
			return zero, ToStatus(err)
		}
		return r, nil
	}
	_, resp, err := h.kit.ServeGRPC(ctx, req)
	if err != nil {
		return zero, ToStatus(err)
	}
	r, ok := resp.(PResp)
	if !ok {
		return zero, ToStatus(typeError[PResp](resp))
	}
	return r, nil
}
