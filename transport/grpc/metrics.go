package grpc

import (
	"context"
	"errors"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc/stats"
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

// clientMetrics records grpc_client_handling_seconds for unary calls and
// streams alike. It is a stats.Handler because only grpc-go knows when a
// client stream has ended (stats.End); the cost of a stats handler falls on
// the caller's side, where the tracing handler already pays it.
type clientMetrics struct {
	metrics *rpcMetrics
	methods *methodTable
}

type methodKey struct{}

func (c *clientMetrics) TagRPC(ctx context.Context, info *stats.RPCTagInfo) context.Context {
	return context.WithValue(ctx, methodKey{}, c.methods.get(info.FullMethodName))
}

func (c *clientMetrics) HandleRPC(ctx context.Context, s stats.RPCStats) {
	end, ok := s.(*stats.End)
	if !ok {
		return
	}
	if m, ok := ctx.Value(methodKey{}).(*method); ok {
		m.observer(c.metrics.dur, status.Code(end.Error)).Observe(end.EndTime.Sub(end.BeginTime).Seconds())
	}
}

func (*clientMetrics) TagConn(ctx context.Context, _ *stats.ConnTagInfo) context.Context { return ctx }
func (*clientMetrics) HandleConn(context.Context, stats.ConnStats)                       {}

func newClientMetrics(reg prometheus.Registerer) *clientMetrics {
	return &clientMetrics{metrics: newRPCMetrics(reg, "client"), methods: newMethodTable(trace.SpanKindClient, true)}
}
