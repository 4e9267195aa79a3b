package grpc

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc/stats"
	"google.golang.org/grpc/status"

	"github.com/gantrykit/gantry/telemetry/promreg"
)

// Metrics are the transport's duration histograms on one registry:
// grpc_server_handling_seconds and grpc_client_handling_seconds, labelled
// grpc_service, grpc_method and grpc_code (the names grpc-ecosystem's
// interceptors made familiar). The endpoint middleware's
// rpc_server_call_duration_seconds counts the same calls per operation, in
// Gantry's error kinds; the two must not share a name. Servers and client
// connections of one service share one Metrics; a histogram exports no
// series until a call is observed on its side.
type Metrics struct {
	server, client *prometheus.HistogramVec
}

// owner names this package to promreg: a clash on a registry names it.
const owner = "gantry/transport/grpc"

// NewMetrics registers the transport's histograms on reg. A second
// NewMetrics on the same registry gets the collectors of the first. It
// fails with a *promreg.ClashError naming the metric and both owners when
// another package (or a collector registered outside Gantry) holds one of
// the names on reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{}
	for _, side := range []struct {
		name string
		h    **prometheus.HistogramVec
	}{{"server", &m.server}, {"client", &m.client}} {
		h, err := promreg.Register(reg, owner, prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "grpc_" + side.name + "_handling_seconds",
			Help:    "Duration of gRPC calls (" + side.name + " side) until the status is known, by gRPC service, method and status code.",
			Buckets: prometheus.DefBuckets,
		}, []string{"grpc_service", "grpc_method", "grpc_code"}))
		if err != nil {
			return nil, err
		}
		*side.h = h
	}
	return m, nil
}

// clientMetrics records grpc_client_handling_seconds for unary calls and
// streams alike. It is a stats.Handler because only grpc-go knows when a
// client stream has ended (stats.End); the cost of a stats handler falls on
// the caller's side, where the tracing handler already pays it.
type clientMetrics struct {
	dur     *prometheus.HistogramVec
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
		m.observer(c.dur, status.Code(end.Error)).Observe(end.EndTime.Sub(end.BeginTime).Seconds())
	}
}

func (*clientMetrics) TagConn(ctx context.Context, _ *stats.ConnTagInfo) context.Context { return ctx }
func (*clientMetrics) HandleConn(context.Context, stats.ConnStats)                       {}

func newClientMetrics(m *Metrics) *clientMetrics {
	return &clientMetrics{dur: m.client, methods: newMethodTable(trace.SpanKindClient, true)}
}
