package grpc

import (
	"context"

	"github.com/gantrykit/gantry/endpoint"
	kitgrpc "github.com/go-kit/kit/transport/grpc"
)

// Handler serves one unary RPC with a typed endpoint. PReq and PResp are the
// generated protobuf messages; the service method implementing the gRPC
// interface is one line:
//
//	func (s *server) Greet(ctx context.Context, r *pb.GreetRequest) (*pb.GreetReply, error) {
//		return s.greet.Serve(ctx, r)
//	}
//
// A Handler is safe for concurrent use if its endpoint and codecs are.
type Handler[PReq, PResp any] struct {
	kit *kitgrpc.Server
}

// NewHandler builds a Handler from a typed endpoint and two codec funcs:
// dec turns the protobuf request into the endpoint's request, enc turns the
// endpoint's response into the protobuf reply. go-kit server options
// (ServerBefore, ServerFinalizer...) apply as usual.
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
