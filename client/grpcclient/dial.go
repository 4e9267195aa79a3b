package grpcclient

import (
	"context"
	"errors"

	"github.com/go-kit/kit/sd"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	grpct "github.com/gantrykit/gantry/transport/grpc"
)

// A Lookup returns the instancer of the service to call. DialLookup calls
// it when the connection first needs addresses (its first call, not Dial),
// and again, with back-off, while it fails.
type Lookup func(ctx context.Context) (sd.Instancer, error)

var errNilInstancer = errors.New("grpcclient: the lookup returned no instancer")

// Dial returns a connection to the instances of service that instancer
// publishes. Pass it to any generated client (pb.NewCatalogClient(conn));
// unary calls and streams alike go to one instance each, chosen as the
// package doc says. service names the target (the calls' :authority, and
// the name TLS verifies unless the credentials say otherwise).
//
// Dial does not connect: the first call does. The instancer stays the
// caller's; the connection stops following it when closed. Close the
// connection when done.
func Dial(service string, instancer sd.Instancer, opts ...Option) (*grpc.ClientConn, error) {
	return dial(service, func(context.Context) (sd.Instancer, error) { return instancer, nil }, false, opts)
}

// DialLookup is Dial with an instancer found when the connection first
// needs it, for wiring done before the registry is reachable (kit's start
// hooks connect it). Until lookup succeeds, calls fail with Unavailable.
// The connection stops each instancer lookup returned when it closes.
func DialLookup(service string, lookup Lookup, opts ...Option) (*grpc.ClientConn, error) {
	return dial(service, lookup, true, opts)
}

func dial(service string, lookup Lookup, owned bool, opts []Option) (*grpc.ClientConn, error) {
	cfg := newConfig(opts)
	b := &builder{lookup: lookup, owned: owned, transport: cfg.transport, state: newConnState(cfg), logger: cfg.logger}
	r := &retrier{cfg: cfg}
	dopts := []grpc.DialOption{
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithResolvers(b),
		grpc.WithDefaultServiceConfig(serviceConfig),
	}
	if cfg.middleware != nil {
		dopts = append(dopts, grpc.WithChainUnaryInterceptor((&chains{forMethod: cfg.middleware}).unary))
	}
	dopts = append(dopts, grpc.WithChainUnaryInterceptor(r.unary))
	dopts = append(dopts, grpct.DialOptions(cfg.telemetry...)...)
	return grpc.NewClient(scheme+":///"+service, append(dopts, cfg.dial...)...)
}
