package discovery

import "context"

// Finder finds the instances of services by name: the client side of a
// registry, for code that is given a registry rather than one instancer
// (kit/grpckit.Dial, say). natskit.NATS is a Finder; FinderFunc adapts
// the other backends' Instancer methods. The caller stops each Instancer
// it gets.
type Finder interface {
	Instancer(ctx context.Context, service string) (Instancer, error)
}

// FinderFunc adapts a function to Finder.
type FinderFunc func(ctx context.Context, service string) (Instancer, error)

// Instancer calls f.
func (f FinderFunc) Instancer(ctx context.Context, service string) (Instancer, error) {
	return f(ctx, service)
}
