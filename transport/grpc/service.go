package grpc

import (
	"context"
	"fmt"
	"strings"

	kitgrpc "github.com/go-kit/kit/transport/grpc"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/gantrykit/gantry/endpoint"
)

// Method is one unary method of a generated gRPC service bound to a typed
// endpoint, for [Register]. Make one with [Unary].
type Method struct {
	full    string // "/pkg.Service/Method"
	handler grpc.MethodHandler
}

// Unary binds the unary method fullMethod, the generated constant such as
// pb.Items_GetItem_FullMethodName, to the typed endpoint f through the
// codec funcs dec and enc, as [NewHandler] does (opts too): no hand-written
// implementation of the generated server interface is needed. Register
// the methods of one service together with [Register].
//
// PReq is the generated request message (a pointer, *pb.GetItemRequest);
// a new one is decoded from the wire for each call.
func Unary[M any, PReq interface{ *M }, PResp, Req, Resp any](
	fullMethod string,
	f endpoint.Func[Req, Resp],
	dec func(context.Context, PReq) (Req, error),
	enc func(context.Context, Resp) (PResp, error),
	opts ...kitgrpc.ServerOption,
) Method {
	h := NewHandler(f, dec, enc, opts...)
	serve := func(ctx context.Context, req any) (any, error) {
		in, ok := req.(PReq)
		if !ok {
			return nil, ToStatus(typeError[PReq](req))
		}
		return h.Serve(ctx, in)
	}
	return Method{full: fullMethod, handler: func(srv any, ctx context.Context, dec func(any) error, icpt grpc.UnaryServerInterceptor) (any, error) {
		in := PReq(new(M))
		if err := dec(in); err != nil {
			return nil, err
		}
		if icpt == nil {
			return h.Serve(ctx, in)
		}
		return icpt(ctx, in, &grpc.UnaryServerInfo{Server: srv, FullMethod: fullMethod}, serve)
	}}
}

// table is the implementation Register passes to grpc-go: the methods are
// served by the handlers in the service description, not by its methods.
type table struct{ service string }

// Register registers on s (a [Server], the App's grpckit server, or any
// grpc.ServiceRegistrar) the service that desc describes, the generated
// description such as &pb.Items_ServiceDesc, with its unary methods served
// by methods. The generated client, health, reflection and the server's
// interceptors work as with a hand-written implementation; desc itself is
// not changed.
//
// A method of desc that methods leave out answers Unimplemented, as the
// generated Unimplemented server does; so do its streaming methods, which
// need a hand-written implementation registered with the generated
// RegisterXServer instead. Register panics, as grpc-go does on a
// duplicate service, if a method is not one of desc's unary methods or is
// bound twice: a wiring mistake, found when the service starts.
func Register(s grpc.ServiceRegistrar, desc *grpc.ServiceDesc, methods ...Method) {
	bound := make(map[string]Method, len(methods))
	for _, m := range methods {
		svc, name := splitMethod(m.full)
		if svc != desc.ServiceName || !strings.HasPrefix(m.full, "/") || !hasMethod(desc, name) {
			panic(fmt.Sprintf("grpc: Register %s: %s is not a unary method of it", desc.ServiceName, m.full))
		}
		if _, dup := bound[name]; dup {
			panic(fmt.Sprintf("grpc: Register %s: %s bound twice", desc.ServiceName, m.full))
		}
		bound[name] = m
	}
	d := grpc.ServiceDesc{
		ServiceName: desc.ServiceName,
		HandlerType: (*any)(nil),
		Methods:     make([]grpc.MethodDesc, len(desc.Methods)),
		Streams:     make([]grpc.StreamDesc, len(desc.Streams)),
		Metadata:    desc.Metadata,
	}
	for i, md := range desc.Methods {
		h := unimplemented(md.MethodName)
		if m, ok := bound[md.MethodName]; ok {
			h = m.handler
		}
		d.Methods[i] = grpc.MethodDesc{MethodName: md.MethodName, Handler: h}
	}
	for i, sd := range desc.Streams {
		sd.Handler = func(any, grpc.ServerStream) error {
			return status.Errorf(codes.Unimplemented, "method %s not implemented", sd.StreamName)
		}
		d.Streams[i] = sd
	}
	s.RegisterService(&d, table{service: desc.ServiceName})
}

func hasMethod(desc *grpc.ServiceDesc, name string) bool {
	for _, md := range desc.Methods {
		if md.MethodName == name {
			return true
		}
	}
	return false
}

func unimplemented(method string) grpc.MethodHandler {
	return func(any, context.Context, func(any) error, grpc.UnaryServerInterceptor) (any, error) {
		return nil, status.Errorf(codes.Unimplemented, "method %s not implemented", method)
	}
}
