// Package http is Gantry's HTTP transport: typed JSON handlers and clients
// over go-kit's transport/http, problem+json errors through the one error
// table (package errs), and an OpenAPI 3.1 document built from the routes.
//
// Import it under a short name, since it shares its name with net/http:
//
//	import httpt "github.com/gantrykit/gantry/transport/http"
//
// # Serving
//
// A service method with the shape of endpoint.Func becomes a handler with
// NewServer, and a route on a Mux:
//
//	mux := httpt.NewMux()
//	mux.Handle("POST /v1/users/{user}/orders", httpt.NewServer(svc.CreateOrder, httpt.WithStatus(201)))
//	mux.Handle("GET /openapi.json", mux.OpenAPIHandler(httpt.Info{Title: "orders", Version: "1.0.0"}))
//
// The request type says where each field comes from:
//
//	type CreateOrder struct {
//		User     string   `path:"user" json:"-"`        // the {user} wildcard
//		DryRun   bool     `query:"dry_run" json:"-"`    // ?dry_run=true
//		Tags     []string `query:"tag" json:"-"`        // ?tag=a&tag=b
//		SKU      string   `json:"sku" validate:"required"`
//		Quantity int      `json:"quantity" validate:"min=1,max=100"`
//	}
//
// Fields without path or query tags are members of the JSON body. Path and
// query values override body members of the same field; tag them json:"-"
// so that they are not members at all (the OpenAPI document never lists
// them as such). The validate rules are required, min=N, max=N (values of
// numbers, lengths of strings and slices), email and oneof=a b c; they
// apply to nested structs too, and the OpenAPI schema advertises them. A
// request type with a Validate() error method is checked last.
//
// What a client sees when a request is wrong, always as
// application/problem+json (RFC 9457) with the kind's "code":
//
//	400  malformed JSON (with the offset), a member of the wrong type
//	     (`field "quantity": want integer, got string`), an unknown member
//	     (unless AllowUnknownFields), data after the JSON value, a path or
//	     query value that does not parse, a failed validate rule or
//	     Validate; the "errors" list names each field
//	413  a body over the limit (WithBodyLimit, default 1 MiB); a declared
//	     Content-Length over it is refused before reading, a chunked body
//	     after limit+1 bytes, and the connection is closed
//	415  a body whose Content-Type is not application/json (or +json)
//
// The answer is the response value as encoding/json writes it, with the
// status of WithStatus (200 by default). A flat struct of strings, bools
// and integers is written without going through encoding/json, to the same
// bytes, and a request made only of string path wildcards is decoded
// without a heap allocation: the typed handler costs no more than a
// hand-written one (BenchmarkHandlerRatio).
//
// Errors the endpoint returns go through the error table (errs.NotFound →
// 404, errs.TooManyRequests → 429 with Retry-After, ...). A plain error or
// a panic is a 500 whose text stays in the log (WithLogger), never in the
// answer; the process keeps serving.
//
// # Calling
//
// NewClient is the mirror image: the same request type fills the path,
// query and body, and problem+json answers come back as *errs.Error of the
// server's kind, so errors.Is(err, errs.KindNotFound) works across the
// wire. A call ends when its context does (errs.KindDeadlineExceeded or
// KindCanceled); its deadline travels in the Gantry-Timeout header
// (HeaderTimeout), which Mux turns back into the handler's context
// deadline on the other side. A connection that cannot be made or breaks is
// errs.KindUnavailable, which retries and breakers understand. Its
// EncodeRequest and DecodeResponse are go-kit functions, and Factory is a
// go-kit sd.Factory, for load balancing over discovered instances:
//
//	get, err := httpt.NewClient[GetOrder, Order]("GET", "http://orders:8080", "/v1/orders/{id}")
//	o, err := get.Func()(ctx, GetOrder{ID: "42"})
//
// # Tracing and request IDs
//
// A Mux built with WithTracing continues the caller's trace: it extracts
// the W3C trace context and baggage, takes the caller's X-Request-Id (or
// makes one) into the context, and starts a server span named after the
// matched route ("POST /v1/orders/{id}") with the semantic conventions'
// HTTP attributes. kit's App builds its Mux so. A Client injects the
// trace context, baggage and request ID of its context into every call;
// WithClientTracing adds a client span per call.
//
// Give a route's middleware chain to the server with WithMiddleware
// rather than wrapping the endpoint yourself: the chain then also sees
// the requests refused before the endpoint (400, 413, 415), so its
// metrics and logs count them.
//
// # OpenAPI
//
// Every route registered on a Mux with a *Server (any Describer) adds an
// operation to the document that Mux.OpenAPI returns and
// Mux.OpenAPIHandler serves: parameters, request body and answer schemas
// built from the Go types, and the problem+json error answers. Register
// plain handlers on the same Mux freely; they are routed but not listed.
package http
