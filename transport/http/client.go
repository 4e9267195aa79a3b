package http

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"time"

	kitendpoint "github.com/go-kit/kit/endpoint"
	kithttp "github.com/go-kit/kit/transport/http"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/gantrykit/gantry/endpoint"
	"github.com/gantrykit/gantry/errs"
)

// Client calls one typed endpoint of a remote Gantry (or any JSON) server.
// It is the mirror of Server: path fields of Req fill the pattern's
// wildcards, query fields the query string, and the other fields travel as
// a JSON body (except with GET, HEAD, DELETE and OPTIONS). A problem+json
// answer comes back as an *errs.Error of the server's kind, with its
// RetryAfter hint; another error status becomes the kind of that status.
//
// A Client is safe for concurrent use. Its encode and decode halves are
// go-kit functions, so that discovery can build one endpoint per instance
// (Factory, EndpointFor) and balance over them with go-kit's sd and lb.
type Client[Req, Resp any] struct {
	method  string
	path    string // the pattern as given
	pattern []segment
	model   *model
	body    bool
	cfg     clientConfig
	ep      kitendpoint.Endpoint // for the base URL given to NewClient
}

// segment is a literal part of a path pattern or a wildcard.
type segment struct {
	lit   string
	param int  // index in model.path when lit == ""
	rest  bool // {name...}: slashes are kept
}

// NewClient returns a client for method and pathPattern (ServeMux syntax,
// such as "/v1/orders/{id}") below base, such as "http://orders:8080". base
// may be empty for a client used only through Factory or EndpointFor.
// NewClient fails if base is not an absolute URL, if Req's tags are
// malformed, or if the pattern's wildcards and Req's path fields differ.
func NewClient[Req, Resp any](method, base, pathPattern string, opts ...ClientOption) (*Client[Req, Resp], error) {
	c := &Client[Req, Resp]{method: strings.ToUpper(method), path: pathPattern}
	for _, o := range opts {
		o(&c.cfg)
	}
	if c.cfg.client == nil {
		c.cfg.client = NewHTTPClient()
	}
	p, err := newModel(reflect.TypeFor[Req]())
	if err != nil {
		return nil, err
	}
	c.model = p
	if c.pattern, err = compilePattern(pathPattern, p); err != nil {
		return nil, err
	}
	switch c.method {
	case http.MethodGet, http.MethodHead, http.MethodDelete, http.MethodOptions:
	default:
		c.body = p.hasBody()
	}
	if base == "" {
		c.ep = func(context.Context, any) (any, error) {
			return nil, errs.Internal(errors.New("httpt: client has no base URL; use Factory or EndpointFor"))
		}
		return c, nil
	}
	u, err := url.Parse(base)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("httpt: base URL %q is not an absolute URL", base)
	}
	c.ep = c.EndpointFor(u)
	return c, nil
}

// Func returns the typed endpoint for the client's base URL.
func (c *Client[Req, Resp]) Func() endpoint.Func[Req, Resp] {
	return endpoint.Typed[Req, Resp](c.ep)
}

// Endpoint returns the go-kit endpoint for the client's base URL; it takes
// a Req and returns a Resp.
func (c *Client[Req, Resp]) Endpoint() kitendpoint.Endpoint { return c.ep }

// EndpointFor returns a go-kit endpoint calling the same operation on
// another base URL, with the client's options.
func (c *Client[Req, Resp]) EndpointFor(base *url.URL) kitendpoint.Endpoint {
	prop := c.cfg.prop
	if prop == nil {
		prop = defaultPropagator
	}
	hc := observedClient{next: c.cfg.client, prop: prop, traced: c.cfg.tracer != nil}
	opts := []kithttp.ClientOption{kithttp.SetClient(hc), kithttp.ClientBefore(setTimeoutHeader)}
	if len(c.cfg.before) > 0 {
		opts = append(opts, kithttp.ClientBefore(c.cfg.before...))
	}
	if len(c.cfg.after) > 0 {
		opts = append(opts, kithttp.ClientAfter(c.cfg.after...))
	}
	if len(c.cfg.finalizer) > 0 {
		opts = append(opts, kithttp.ClientFinalizer(c.cfg.finalizer...))
	}
	e := kithttp.NewClient(c.method, base, c.EncodeRequest, c.DecodeResponse, opts...).Endpoint()
	if c.cfg.tracer != nil {
		e = traceCall(c.cfg.tracer, c.method, c.path, e)
	}
	return func(ctx context.Context, req any) (any, error) {
		resp, err := e(ctx, req)
		if err != nil {
			return nil, transportError(err)
		}
		return resp, nil
	}
}

// Factory is a go-kit sd.Factory: it turns an instance, "host:port" or a
// base URL, into an endpoint for this operation. The closer does nothing.
func (c *Client[Req, Resp]) Factory(instance string) (kitendpoint.Endpoint, io.Closer, error) {
	if !strings.Contains(instance, "://") {
		instance = "http://" + instance
	}
	u, err := url.Parse(instance)
	if err != nil || u.Host == "" {
		return nil, nil, fmt.Errorf("httpt: instance %q is neither host:port nor a URL", instance)
	}
	return c.EndpointFor(u), nopCloser{}, nil
}

type nopCloser struct{}

func (nopCloser) Close() error { return nil }

// transportError gives a failed round trip a kind: context errors keep
// theirs, and a connection that could not be made or broke is
// Unavailable, which retries and breakers understand.
func transportError(err error) error {
	var ue *url.Error
	if errs.KindOf(err) != errs.KindInternal || !errors.As(err, &ue) {
		return err
	}
	return errs.Wrap(errs.KindUnavailable, err, "upstream %s request failed", ue.Op)
}

// NewHTTPClient returns an *http.Client with a Transport of its own, tuned
// for service-to-service calls: dial and TLS handshake timeouts, keep-alive,
// a larger idle pool per host. Clients share connections only when they
// share the *http.Client, so pass one to WithHTTPClient for many clients.
func NewHTTPClient() *http.Client {
	return &http.Client{Transport: &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          256,
		MaxIdleConnsPerHost:   64,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   5 * time.Second,
		ExpectContinueTimeout: time.Second,
		ResponseHeaderTimeout: 0, // the caller's context deadline governs
	}}
}

// ClientOption configures a Client.
type ClientOption func(*clientConfig)

type clientConfig struct {
	client    kithttp.HTTPClient
	tracer    trace.Tracer // nil: no spans
	prop      propagation.TextMapPropagator
	before    []kithttp.RequestFunc
	after     []kithttp.ClientResponseFunc
	finalizer []kithttp.ClientFinalizerFunc
}

// WithHTTPClient sets the client that makes the calls (an *http.Client or
// anything with its Do method). The default is a NewHTTPClient of its own.
func WithHTTPClient(c kithttp.HTTPClient) ClientOption {
	return func(cfg *clientConfig) { cfg.client = c }
}

// ClientBefore adds go-kit request functions run on each outgoing request
// (to add headers, propagate trace context...).
func ClientBefore(fs ...kithttp.RequestFunc) ClientOption {
	return func(cfg *clientConfig) { cfg.before = append(cfg.before, fs...) }
}

// ClientAfter adds go-kit functions run on each response before decoding.
func ClientAfter(fs ...kithttp.ClientResponseFunc) ClientOption {
	return func(cfg *clientConfig) { cfg.after = append(cfg.after, fs...) }
}

// ClientFinalizer adds go-kit functions run at the end of every call.
func ClientFinalizer(fs ...kithttp.ClientFinalizerFunc) ClientOption {
	return func(cfg *clientConfig) { cfg.finalizer = append(cfg.finalizer, fs...) }
}
