package grpc

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"
	"google.golang.org/grpc/status"
)

// rpcMetrics is a duration histogram per gRPC (service, method, code): the
// transport's view, under the names grpc-ecosystem's interceptors made
// familiar (grpc_server_handling_seconds). The endpoint middleware's
// rpc_server_call_duration_seconds counts the same calls per operation, in
// Gantry's error kinds; the two must not share a name, or one registration
// would fail and its observations vanish.
type rpcMetrics struct {
	dur *prometheus.HistogramVec
}

func newRPCMetrics(reg prometheus.Registerer, side string) *rpcMetrics {
	h := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "grpc_" + side + "_handling_seconds",
		Help:    "Duration of gRPC calls (" + side + " side) until the status is known, by gRPC service, method and status code.",
		Buckets: prometheus.DefBuckets,
	}, []string{"grpc_service", "grpc_method", "grpc_code"})
	if err := reg.Register(h); err != nil {
		var are prometheus.AlreadyRegisteredError
		existing, ok := (*prometheus.HistogramVec)(nil), false
		if errors.As(err, &are) {
			existing, ok = are.ExistingCollector.(*prometheus.HistogramVec)
		}
		if !ok {
			// A different collector under this name: a wiring bug that would
			// otherwise lose every observation without a word.
			panic("transport/grpc: registering grpc_" + side + "_handling_seconds: " + err.Error())
		}
		h = existing // several servers or connections share one registry
	}
	return &rpcMetrics{dur: h}
}

func (m *rpcMetrics) observe(fullMethod string, start time.Time, err error) {
	service, method := splitMethod(fullMethod)
	code := status.Code(err).String()
	m.dur.WithLabelValues(service, method, code).Observe(time.Since(start).Seconds())
}

func (m *rpcMetrics) unaryServer(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
	start := time.Now()
	resp, err := h(ctx, req)
	m.observe(info.FullMethod, start, err)
	return resp, err
}

func (m *rpcMetrics) streamServer(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
	start := time.Now()
	err := h(srv, ss)
	m.observe(info.FullMethod, start, err)
	return err
}

func (m *rpcMetrics) unaryClient(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	start := time.Now()
	err := invoker(ctx, method, req, reply, cc, opts...)
	m.observe(method, start, err)
	return err
}

// splitMethod splits "/pkg.Service/Method" into its service and method.
func splitMethod(full string) (service, method string) {
	full = strings.TrimPrefix(full, "/")
	if i := strings.LastIndexByte(full, '/'); i >= 0 {
		return full[:i], full[i+1:]
	}
	return "unknown", full
}
