package grpc

import (
	"context"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"github.com/gantrykit/gantry/telemetry"
)

// The request ID (telemetry.RequestID) travels in the x-request-id
// metadata key beside the trace context, when tracing is on: a client
// sends its context's ID, a server takes the caller's (or makes one) into
// the handler's context (serverObserver.begin), so that the handler's log
// lines join the caller's.

// withIncomingRequestID returns ctx with the caller's request ID from its
// metadata md, or a new one made when first read.
func withIncomingRequestID(ctx context.Context, md metadata.MD) context.Context {
	id := ""
	if vs := md[telemetry.MetadataRequestID]; len(vs) == 1 {
		id = vs[0]
	}
	return telemetry.WithIncomingRequestID(ctx, id)
}

func requestIDClient(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	return invoker(withOutgoingRequestID(ctx), method, req, reply, cc, opts...)
}

func requestIDStreamClient(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	return streamer(withOutgoingRequestID(ctx), desc, cc, method, opts...)
}

func withOutgoingRequestID(ctx context.Context) context.Context {
	if id := telemetry.RequestID(ctx); id != "" {
		return metadata.AppendToOutgoingContext(ctx, telemetry.MetadataRequestID, id)
	}
	return ctx
}
