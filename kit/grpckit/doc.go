// Package grpckit wires gRPC into a kit App: a gRPC server whose listener,
// health service, drain and graceful stop the App's Run owns, a client
// connection to another service's discovered instances in one call
// ([Dial]), and the OTLP/gRPC span exporter for services that send traces
// over gRPC.
//
// It is a package of its own so that a service pays for grpc-go only when
// it uses it: kit itself does not import grpc-go, and an HTTP-only service
// does not link it. The App is passed in; the one process-wide thing is
// the name of client/grpcclient's balancer in grpc-go's registry (see
// grpcclient.BalancerName).
//
//	app := kit.New("prices", kit.WithOTLPGRPC(grpckit.OTLPExporter)) // the option only if OTLP goes over gRPC
//	g, err := grpckit.NewServer(app) // err: a metric-name clash on app.Registry()
//	grpct.Register(g, &pricespb.Prices_ServiceDesc, grpct.Unary(pricespb.Prices_GetPrice_FullMethodName, getPrice, dec, enc))
//	app.Register(registry, kit.Registration{GRPC: g}) // advertise the "grpc" transport
//	conn, err := grpckit.Dial(app, finder, "product") // call another service; finder: a *natskit.NATS, say
//	catalog := productpb.NewCatalogClient(conn)
//	err = app.Run(ctx)
//
// The listen address is the runtime's gantry.grpc_addr (GANTRY_GRPC_ADDR,
// default :50051).
package grpckit
