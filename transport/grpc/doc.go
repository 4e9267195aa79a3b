// Package grpc is Gantry's gRPC transport, over go-kit's transport/grpc and
// grpc-go.
//
// Import it under a short name, since it shares its name with grpc-go:
//
//	import grpct "github.com/gantrykit/gantry/transport/grpc"
//
// Server side: bind each unary method of the generated service to a typed
// endpoint and two codec funcs (protobuf message ↔ domain type) with
// [Unary], and [Register] the table on a [Server]: no hand-written
// implementation of the generated interface. (A [Handler] per RPC, called
// from one-line methods of that interface, does the same for a service
// that also streams.) The Server adds grpc.health.v1, server reflection, the
// caller's trace context in every call's context, OTel spans and Prometheus
// RPC metrics (with the propagator, TracerProvider and registry you pass,
// never the globals), and shuts down in order:
// NOT_SERVING first ([Server.Drain]), then GracefulStop, then a hard Stop
// if the shutdown context ends.
//
// Client side: [NewClient] turns a connection and a method name into a
// typed endpoint.Func that middleware (breaker, retry, timeout) wraps like
// any other; [Factory] does the same per discovered instance for go-kit's
// sd and lb packages. [DialOptions] traces and measures the connection.
//
// What the caller sees: errors cross the wire through the one error table
// (package errs). A handler's errs.NotFound("order 7") reaches the client as
// codes.NotFound with the message "order 7" and comes back out of the typed
// client as an *errs.Error of KindNotFound with the same message; field
// violations and retry hints travel as google.rpc error details. A plain
// error is codes.Internal with the generic message "Internal error": its
// text stays on the server. The client's deadline travels with the call,
// and the server's context carries it.
//
// Cost: a Handler without go-kit options calls the codecs and the endpoint
// directly, and the server observes calls in one interceptor, not a
// stats.Handler, whose mere presence makes grpc-go copy each call's
// metadata and emit six events per call. Served this way (trace context and
// metrics, as kit wires it) a call costs within a few percent of a
// hand-written grpc-go service; bench/ has the figures.
//
// The example service in internal/greetpb is generated from a .proto kept
// beside it; run go generate there to regenerate (needs protoc).
package grpc
