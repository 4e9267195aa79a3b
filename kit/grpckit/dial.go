package grpckit

import (
	"context"
	"strings"

	kitendpoint "github.com/go-kit/kit/endpoint"
	"github.com/go-kit/kit/sd"
	"google.golang.org/grpc"

	"github.com/gantrykit/gantry/client/grpcclient"
	"github.com/gantrykit/gantry/discovery"
	"github.com/gantrykit/gantry/kit"
	"github.com/gantrykit/gantry/retrybudget"
	grpct "github.com/gantrykit/gantry/transport/grpc"
)

// Dial returns a connection to the gRPC instances of service that finder
// finds (their "grpc" transport, which Registration.GRPC advertises), for
// any generated client:
//
//	conn, err := grpckit.Dial(app, n, "product") // n: a *natskit.NATS, or any discovery.Finder
//	catalog := productpb.NewCatalogClient(conn)
//
// Calls are balanced, broken per instance and retried as package
// client/grpcclient says, traced with the App's tracer provider and
// propagator (one client span per attempt), measured in its registry
// (grpc_client_handling_seconds per attempt), and each unary call runs
// through the App's client chain (App.ClientMiddlewareForTracedAttempts)
// of the operation "<service>.<Method>" ("product.GetProducts"): its span
// (INTERNAL, the parent of the attempts' client spans),
// rpc_client_call_duration_seconds, logging, breaker and timeout. The
// gantry.client configuration tunes both: retry.max_attempts,
// retry.budget_ratio and retry.budget_per_second (one budget for this
// service's calls), retry.disabled, breaker.disabled, and retry.idempotent,
// whose entries that are full method names ("/pkg.Service/Method") mark
// methods idempotent beside those the .proto declares (list methods by
// their full name only: an operation name there would also switch on the
// chain's own retry layer, and attempts would multiply). opts come after
// these (credentials: grpcclient.WithDialOptions; the default is
// plaintext).
//
// The registry is looked up on the first call, once the App's start hooks
// have connected it; the connection closes when the App stops. Call Dial
// before Run. A metric-name clash on the App's registry is Dial's error
// (see grpct.NewMetrics).
func Dial(app *kit.App, finder discovery.Finder, service string, opts ...grpcclient.Option) (*grpc.ClientConn, error) {
	c := app.Config().Client
	attempts := c.Retry.MaxAttempts
	if attempts <= 0 {
		attempts = 3
	}
	if c.Retry.Disabled {
		attempts = 1
	}
	var idempotent []string
	for _, op := range c.Retry.Idempotent {
		if strings.HasPrefix(op, "/") {
			idempotent = append(idempotent, op)
		}
	}
	m, err := grpct.NewMetrics(app.Registry())
	if err != nil {
		return nil, err
	}
	base := []grpcclient.Option{
		grpcclient.WithTelemetry(grpct.WithTracerProvider(app.TracerProvider()), grpct.WithPropagator(app.Propagator()),
			grpct.WithMetrics(m)),
		grpcclient.WithRetry(attempts, retrybudget.New(or(c.Retry.BudgetRatio, retrybudget.DefaultRatio),
			or(c.Retry.BudgetPerSecond, retrybudget.DefaultPerSec))),
		grpcclient.WithIdempotent(idempotent...),
		grpcclient.WithBreaker(!c.Breaker.Disabled),
		grpcclient.WithLogger(app.Logger()),
		grpcclient.WithMiddleware(func(fullMethod string) []kitendpoint.Middleware {
			return app.ClientMiddlewareForTracedAttempts(service + "." + fullMethod[strings.LastIndexByte(fullMethod, '/')+1:])
		}),
	}
	lookup := func(ctx context.Context) (sd.Instancer, error) { return finder.Instancer(ctx, service) }
	cc, err := grpcclient.DialLookup(service, lookup, append(base, opts...)...)
	if err != nil {
		return nil, err
	}
	app.OnStop("grpc client "+service, func(context.Context) error { return cc.Close() })
	return cc, nil
}

func or(v, def float64) float64 {
	if v == 0 {
		return def
	}
	return v
}
