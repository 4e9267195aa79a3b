package http

import (
	"log/slog"
	"reflect"

	"github.com/gantrykit/gantry/errs"

	kitendpoint "github.com/go-kit/kit/endpoint"
	"github.com/go-kit/kit/transport"
	kithttp "github.com/go-kit/kit/transport/http"
)

// ServerOption configures a Server.
type ServerOption func(*serverConfig)

type serverConfig struct {
	status       int
	limit        int64
	allowUnknown bool
	logger       *slog.Logger
	before       []kithttp.RequestFunc
	after        []kithttp.ServerResponseFunc
	finalizer    []kithttp.ServerFinalizerFunc
	errorHandler transport.ErrorHandler
	errorEncoder kithttp.ErrorEncoder
	op           Operation
	mws          []kitendpoint.Middleware
}

// WithStatus sets the status of a successful answer (default 200). A
// response that implements go-kit's StatusCoder overrides it per request.
// With 204 the response is not written.
func WithStatus(code int) ServerOption { return func(c *serverConfig) { c.status = code } }

// WithMiddleware wraps the endpoint in mws, mws[0] outermost, as
// endpoint.Wrap does, and also runs the chain for requests refused before
// the endpoint: a body or parameter that does not decode, a failed
// validation, a body over the limit. For those the chain sees a nil
// request and the endpoint is not called; the chain returns the refusal
// (or its own error, such as a rate limit's), which is answered as usual.
// So the chain's metrics, spans and logs count every call the route
// answered, 400s included:
//
//	httpt.NewServer(svc.CreateOrder, httpt.WithMiddleware(app.Middleware("create_order")...))
//
// rather than httpt.NewServer(endpoint.Wrap(svc.CreateOrder, ...)), whose
// chain never hears of a request that did not decode.
func WithMiddleware(mws ...kitendpoint.Middleware) ServerOption {
	return func(c *serverConfig) { c.mws = append(c.mws, mws...) }
}

// WithBodyLimit sets the largest request body read, in bytes (default
// DefaultBodyLimit, 1 MiB). A larger body is answered with 413 without
// reading the rest.
func WithBodyLimit(n int64) ServerOption { return func(c *serverConfig) { c.limit = n } }

// AllowUnknownFields accepts JSON members that Req has no field for; by
// default they are a 400 naming the member.
func AllowUnknownFields() ServerOption { return func(c *serverConfig) { c.allowUnknown = true } }

// WithLogger sets the logger for panics (with their stack) and internal
// errors. The default discards.
func WithLogger(l *slog.Logger) ServerOption { return func(c *serverConfig) { c.logger = l } }

// ServerBefore adds go-kit request functions, run in order on the request
// before decoding; the context they return reaches the endpoint.
func ServerBefore(fs ...kithttp.RequestFunc) ServerOption {
	return func(c *serverConfig) { c.before = append(c.before, fs...) }
}

// ServerAfter adds go-kit response functions, run after the endpoint
// succeeded and before the answer is written.
func ServerAfter(fs ...kithttp.ServerResponseFunc) ServerOption {
	return func(c *serverConfig) { c.after = append(c.after, fs...) }
}

// ServerFinalizer adds go-kit finalizers, run after every request with the
// status written; their context carries go-kit's ContextKeyResponseHeaders
// and ContextKeyResponseSize.
func ServerFinalizer(fs ...kithttp.ServerFinalizerFunc) ServerOption {
	return func(c *serverConfig) { c.finalizer = append(c.finalizer, fs...) }
}

// ServerErrorHandler sets a go-kit error handler told of every error:
// decoding, endpoint, encoding and panics.
func ServerErrorHandler(h transport.ErrorHandler) ServerOption {
	return func(c *serverConfig) { c.errorHandler = h }
}

// ServerErrorEncoder replaces the problem+json error answer. Few services
// need it: the default goes through the one error table.
func ServerErrorEncoder(ee kithttp.ErrorEncoder) ServerOption {
	return func(c *serverConfig) { c.errorEncoder = ee }
}

// Summary sets the operation's one-line summary in the OpenAPI document.
func Summary(s string) ServerOption { return func(c *serverConfig) { c.op.Summary = s } }

// Description sets the operation's longer description (CommonMark).
func Description(s string) ServerOption { return func(c *serverConfig) { c.op.Description = s } }

// Tags adds OpenAPI tags, which group operations in documentation tools.
func Tags(tags ...string) ServerOption {
	return func(c *serverConfig) { c.op.Tags = append(c.op.Tags, tags...) }
}

// Named names the operation as its endpoint chain does
// (app.Middleware("place_order")): the OpenAPI operationId is the name in
// lower camel case ("placeOrder"), which generated clients turn into
// method names (PlaceOrderWithResponse).
func Named(op string) ServerOption { return func(c *serverConfig) { c.op.Name = op } }

// OperationID sets the operation's ID as given, over the one Named
// derives; without either it is derived from the method and path
// ("getV1OrdersId"). The document keeps IDs unique by numbering repeats.
func OperationID(id string) ServerOption { return func(c *serverConfig) { c.op.ID = id } }

// Errors declares the kinds of error the operation's endpoint may return
// besides those the transport knows of (decoding, security), such as
// errs.KindNotFound or errs.KindConflict: each becomes a documented
// problem+json answer with the kind's status.
func Errors(kinds ...errs.Kind) ServerOption {
	return func(c *serverConfig) { c.op.Errors = append(c.op.Errors, kinds...) }
}

// ErrorStatuses declares problem+json answers of the operation whose
// statuses the error table has no kind for, such as 422: the endpoint
// gives them with an error implementing go-kit's StatusCoder (see
// WriteProblem). Each becomes a documented problem+json answer.
func ErrorStatuses(codes ...int) ServerOption {
	return func(c *serverConfig) { c.op.ErrorStatuses = append(c.op.ErrorStatuses, codes...) }
}

// Example gives example values of the operation's request and answer for
// the OpenAPI document (nil leaves one out). They are written as
// encoding/json writes them; give a request whose path and query fields
// are json:"-", so that the example holds only body members.
func Example(request, answer any) ServerOption {
	return func(c *serverConfig) { c.op.ExampleRequest, c.op.ExampleAnswer = request, answer }
}

// Deprecated marks the operation deprecated in the OpenAPI document.
func Deprecated() ServerOption { return func(c *serverConfig) { c.op.Deprecated = true } }

// Operation describes a typed route: what the OpenAPI document says about
// it. A Server returns its own; the Types and Status come from the server.
type Operation struct {
	// Name is the operation's name in its endpoint chain (Named), from
	// which the operationId is derived; ID overrides it.
	Name, ID             string
	Summary, Description string
	Tags                 []string
	Deprecated           bool
	Status               int          // status of a successful answer
	Request, Response    reflect.Type // Req and Resp
	BodyLimit            int64        // largest body accepted
	AllowUnknown         bool         // unknown JSON members are accepted (AllowUnknownFields)
	Security             []Requirement
	Errors               []errs.Kind // declared by the route (Errors)
	ErrorStatuses        []int       // declared by the route (ErrorStatuses)
	ExampleRequest       any         // nil: none (Example)
	ExampleAnswer        any
}

// Describer is implemented by handlers that describe their route, such as
// *Server. Mux.Handle records the description of any handler that has one;
// a handler wrapped in plain middleware loses it, so wrap the Mux, not its
// routes, or give the wrapper an Operation method.
type Describer interface {
	Operation() Operation
}
