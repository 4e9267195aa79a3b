package api

import (
	"log/slog"

	"github.com/gantrykit/gantry/errs"
	httpt "github.com/gantrykit/gantry/transport/http"
)

// Routes registers the HTTP routes on mux. The request types say where
// each field comes from (path, query, body) and how it is validated; the
// OpenAPI document (GET /openapi.json in the service) is built from them.
// logger receives the text of 500 answers, which never reach the client.
func Routes(mux *httpt.Mux, e Endpoints, logger *slog.Logger) {
	opts := func(op, summary string, more ...httpt.ServerOption) []httpt.ServerOption {
		// The server runs the chain, so it also sees the requests it
		// refuses before the endpoint (see Endpoints.Chain).
		o := []httpt.ServerOption{httpt.WithMiddleware(e.For(op)...), httpt.Summary(summary), httpt.Tags("items")}
		if logger != nil {
			o = append(o, httpt.WithLogger(logger))
		}
		return append(o, more...)
	}
	// Each operation (ops.go) brings its method, path, status and name (the
	// chain's, see NewEndpoints, and the OpenAPI operationId, createItem).
	// Errors lists the kinds an operation's business code returns beyond
	// the transport's.
	CreateItem.Handle(mux, e.Create, opts(CreateItem.Name, "Create an item")...)
	GetItem.Handle(mux, e.Get, opts(GetItem.Name, "Get an item", httpt.Errors(errs.KindNotFound))...)
	ListItems.Handle(mux, e.List, opts(ListItems.Name, "List the newest items")...)
}
