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
// A field may also come from a request header:
//
//	Key string `header:"Idempotency-Key" json:"-" validate:"max=255" description:"..."`
//
// It takes the header's one value (a header given twice is a 400 naming
// it), is required only with the required rule, is documented as an
// OpenAPI header parameter (with the description tag's text) and is sent
// by the Client. It cannot be a slice.
//
// Fields without path, query or header tags are members of the JSON body.
// A parameter field is never a member: a body member of its name is an
// unknown field (tag it json:"-" to keep encoding/json away from it too).
//
// # One field model
//
// A request type is walked once, when the Server is made, into a model of
// its fields (embedded structs and pointers to structs promoted as
// encoding/json promotes them), and that model is all the transport knows:
// it decodes the request, checks it, writes the OpenAPI schema and names
// the fields in errors. So the document and the server agree: a body the
// published schema accepts is one the server accepts, and the other way
// round (a fuzz test holds them to it with a JSON Schema validator), up to
// what only code can say (a Validate method, the service's own answers).
//
//   - required means present in the JSON document: "" and [] are values;
//     optional means optional: an absent member passes whatever rules it
//     has (min=1 on an int does not refuse a body without it).
//   - null is a value only of a pointer or interface field; elsewhere it is
//     a 400 naming the field, as the schema's type says.
//   - Member names match exactly and once: encoding/json's case-insensitive
//     match ("SKU" for "sku") and repeated members are refused, since a
//     JSON Schema validator (or a gateway) may read them otherwise.
//   - Unknown members are refused, and the schema says
//     additionalProperties: false (AllowUnknownFields turns both off).
//
// The validate rules, each defined once with its check, its schema
// constraint and its message, apply to nested structs too:
//
//	required      present (see above)
//	min=N, max=N  numbers: the value (minimum, maximum); strings: the length
//	              in characters (minLength, maxLength, as JSON Schema
//	              counts); slices: items; maps: members
//	maxbytes=N    strings: the length in bytes of the UTF-8 form, for code
//	              that needs bytes (bcrypt reads at most 72); the schema
//	              gets maxLength N and the extension keyword x-maxBytes N,
//	              and a client that honours only maxLength gets a 400 naming
//	              the field, never a 500. Use max and maxbytes together
//	              when both units matter.
//	email         a bare address such as ada@example.com (format email)
//	oneof=a b c   one of the space-separated values (enum)
//
// A request type with a Validate() error method is checked last.
//
// What a client sees when a request is wrong, always as
// application/problem+json (RFC 9457) with the kind's "code":
//
//	400  malformed JSON (with the offset), a member of the wrong type
//	     (`field "quantity": want integer, got string`), data after the
//	     JSON value, a path, query or header value that does not parse, a
//	     header given more than once; or, all
//	     listed together, unknown, repeated, null and missing members and
//	     failed validate rules (`items[2].quantity: must be at least 1`);
//	     or a failed Validate. The "errors" list names each field
//	413  a body over the limit (WithBodyLimit, default 1 MiB); a declared
//	     Content-Length over it is refused before reading, a chunked body
//	     after limit+1 bytes, and the connection is closed
//	415  a body whose Content-Type is not application/json (or +json)
//
// The answer is the response value as encoding/json writes it, with the
// status of WithStatus (200 by default); a nil slice or map answer is
// written as [] or {}. A flat struct of strings, bools
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
// Mux.OpenAPIHandler serves (OpenAPI 3.1), from what the route knows:
//
//   - parameters, request body and answer schemas from the field model
//     (what the server accepts and what it sends are separate schemas:
//     a type used both ways gets Name and NameInput);
//   - the operationId from Named("place_order") as placeOrder (or
//     OperationID), unique in the document;
//   - security from Secured(BearerJWT(), scopes...): the scheme under
//     components.securitySchemes and the operation's security;
//   - every answer the operation can give, each problem+json: 400 when
//     there is anything to decode, 413 and 415 with a body, 401 (and 403
//     with scopes) when secured, the kinds declared with Errors (404,
//     409...) and with Mux.Errors (the kit runtime declares its chain's:
//     429, 503), the statuses declared with ErrorStatuses (422), and
//     always 500 and 504 (a panic; the caller's Gantry-Timeout);
//   - Summary, Description, Tags, Deprecated and Example as given, and
//     `example:"..."` struct tags on fields.
//
// A 401 carries WWW-Authenticate: Bearer (RFC 6750), a 405 an Allow
// header. Register plain handlers on the same Mux freely; they are routed
// but not listed.
package http
