// Package grpckit wires gRPC into a kit App: a gRPC server whose listener,
// health service, drain and graceful stop the App's Run owns, and the
// OTLP/gRPC span exporter for services that send traces over gRPC.
//
// It is a package of its own so that a service pays for grpc-go only when
// it uses it: kit itself does not import grpc-go, and an HTTP-only service
// does not link it. Nothing is registered process-wide; the App is passed
// in.
//
//	app := kit.New("prices", kit.WithOTLPGRPC(grpckit.OTLPExporter)) // the option only if OTLP goes over gRPC
//	g := grpckit.NewServer(app)
//	pricespb.RegisterPricesServer(g, impl)
//	app.Register(registry, kit.Registration{GRPC: g}) // advertise the "grpc" transport
//	err := app.Run(ctx)
//
// The listen address is the runtime's gantry.grpc_addr (GANTRY_GRPC_ADDR,
// default :50051).
package grpckit
