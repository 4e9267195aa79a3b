package api

import (
	"log/slog"

	"google.golang.org/grpc" //gantry:if grpc

	httpt "github.com/gantrykit/gantry/transport/http"
)

// Servers are where Serve serves the operations.
type Servers struct {
	// HTTP gets the routes; its OpenAPI document (GET /openapi.json in
	// the service) is built from their request types, which say where
	// each field comes from (path, query, body) and how it is validated.
	HTTP *httpt.Mux
	// GRPC gets the gRPC service items.v1.Items (the App's
	// grpckit.NewServer, or a transport/grpc Server in tests); nil for
	// none.
	GRPC grpc.ServiceRegistrar //gantry:if grpc
	// Logger receives the text of 500 answers, which never reach the
	// client; nil for the default.
	Logger *slog.Logger
}

// docs returns the server options of the HTTP operation op: its chain
// (see Chain.For), its summary and tag in the OpenAPI document, the
// logger, then more.
func (s Servers) docs(chain Chain) func(op, summary string, more ...httpt.ServerOption) []httpt.ServerOption {
	return func(op, summary string, more ...httpt.ServerOption) []httpt.ServerOption {
		o := []httpt.ServerOption{httpt.WithMiddleware(chain.For(op)...), httpt.Summary(summary), httpt.Tags("items")}
		if s.Logger != nil {
			o = append(o, httpt.WithLogger(s.Logger))
		}
		return append(o, more...)
	}
}
