package grpcclient

import (
	"context"
	"strings"
	"sync"

	"google.golang.org/grpc"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"

	"github.com/gantrykit/gantry/errs"
)

// retrier retries a connection's idempotent unary calls: each attempt goes
// through the balancer again, whose failure penalty steers it to another
// instance. It stops at the first success, a failure that is not
// retryable (errs.Kind.Retryable: unavailable, deadline exceeded on the
// instance's side, resource exhausted), the caller's context's end, the
// attempt limit or an exhausted budget, and returns the last error.
//
// Other calls are not retried here; grpc-go itself retries, transparently,
// a call that never left the client.
type retrier struct {
	cfg   config
	known sync.Map // full method → bool: idempotent per the proto descriptor
}

func (r *retrier) unary(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	r.cfg.budget.Request()
	err := invoker(ctx, method, req, reply, cc, opts...)
	if err == nil || r.cfg.attempts < 2 || !r.idempotent(method) {
		return err
	}
	for attempt := 1; attempt < r.cfg.attempts; attempt++ {
		if ctx.Err() != nil || !retryable(err) || !r.cfg.budget.Retry() {
			break
		}
		if err = invoker(ctx, method, req, reply, cc, opts...); err == nil {
			return nil
		}
	}
	return err
}

func retryable(err error) bool {
	return errs.KindFromGRPC(uint32(status.Code(err))).Retryable()
}

// idempotent reports whether method was declared idempotent, by option or
// in its .proto (idempotency_level), as registered with the protobuf
// runtime by the generated code.
func (r *retrier) idempotent(method string) bool {
	if r.cfg.idempotent[method] {
		return true
	}
	if v, ok := r.known.Load(method); ok {
		return v.(bool)
	}
	v := protoIdempotent(method)
	r.known.Store(method, v)
	return v
}

func protoIdempotent(method string) bool {
	name := protoreflect.FullName(strings.ReplaceAll(strings.TrimPrefix(method, "/"), "/", "."))
	d, err := protoregistry.GlobalFiles.FindDescriptorByName(name)
	if err != nil {
		return false
	}
	md, ok := d.(protoreflect.MethodDescriptor)
	if !ok {
		return false
	}
	opts, ok := md.Options().(*descriptorpb.MethodOptions)
	return ok && opts.GetIdempotencyLevel() != descriptorpb.MethodOptions_IDEMPOTENCY_UNKNOWN
}
