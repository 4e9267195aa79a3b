// Package endpoint gives go-kit endpoints types at the edges.
//
// A service method has the shape of [Func]:
//
//	func (s *Service) CreateOrder(ctx context.Context, req CreateOrder) (Order, error)
//
// Transports and middleware work on go-kit's erased endpoint.Endpoint, so
// that every go-kit middleware, sd.Endpointer and lb balancer keeps working.
// [Func.Endpoint] erases the types, [Typed] restores them, and [Wrap] applies
// go-kit middleware to a Func and hands back a Func: typed edges, erased
// middle. A request of the wrong type is a [*TypeError], never a panic.
//
// This package is separate from kit so that transports and middleware can
// import it without importing the runtime.
package endpoint
