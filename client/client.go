package client

import (
	"context"
	"errors"
	"net/http"
	"strings"

	kitendpoint "github.com/go-kit/kit/endpoint"
	"github.com/go-kit/kit/sd"

	"github.com/gantrykit/gantry/discovery/lb"
	"github.com/gantrykit/gantry/endpoint"
	"github.com/gantrykit/gantry/middleware/breaker"
	"github.com/gantrykit/gantry/retrybudget"
	httpt "github.com/gantrykit/gantry/transport/http"
)

// Client is a resilient typed client of one operation on the instances of
// a discovered service. It is safe for concurrent use. It owns a balancer
// that follows the instancer: Close it when done (the instancer itself
// stays the caller's).
type Client[Req, Resp any] struct {
	call endpoint.Func[Req, Resp]
	bal  *lb.Balancer
}

// HTTP returns a Client calling method pathPattern (ServeMux syntax, such
// as "/v1/products/{id}") with transport/http's typed encoding on the
// instances instancer publishes: host:port pairs or base URLs. It fails
// as httpt.NewClient does: malformed tags in Req, or a pattern whose
// wildcards differ from Req's path fields.
func HTTP[Req, Resp any](instancer sd.Instancer, method, pathPattern string, opts ...Option) (*Client[Req, Resp], error) {
	cfg := config{policy: lb.P2C(), attempts: 3}
	for _, o := range opts {
		o(&cfg)
	}
	hc, err := httpt.NewClient[Req, Resp](method, "", pathPattern, cfg.http...)
	if err != nil {
		return nil, err
	}
	if cfg.breaker == nil && !cfg.noBreaker {
		cfg.breaker = breaker.New()
	}
	if cfg.budget == nil {
		cfg.budget = retrybudget.New(retrybudget.DefaultRatio, retrybudget.DefaultPerSec)
	}
	idempotent := idempotentMethod(method)
	if cfg.idempotent != nil {
		idempotent = *cfg.idempotent
	}
	lbOpts := cfg.lbOpts
	if b := cfg.breaker; b != nil {
		outer := lbOpts.PerInstance
		lbOpts.PerInstance = func(instance string) kitendpoint.Middleware {
			mw := guard(b.For(instance))
			if outer != nil {
				return kitendpoint.Chain(outer(instance), mw)
			}
			return mw
		}
	}
	isConnErr := lbOpts.IsConnError
	if isConnErr == nil {
		isConnErr = lb.IsConnError
	}
	bal := lb.New(instancer, hc.Factory, cfg.policy, lbOpts)
	ep := lb.Retry(bal, lb.RetryOptions{
		Attempts:    cfg.attempts,
		Idempotent:  idempotent,
		Budget:      cfg.budget,
		IsConnError: func(err error) bool { return isConnErr(err) || neverSent(err) },
	})
	return &Client[Req, Resp]{call: endpoint.Typed[Req, Resp](ep), bal: bal}, nil
}

// Call calls the operation on one of the instances, retrying as the
// package doc says.
func (c *Client[Req, Resp]) Call(ctx context.Context, req Req) (Resp, error) {
	return c.call(ctx, req)
}

// Func returns the client as a typed endpoint, to wrap with middleware or
// hand to code that takes an endpoint.Func.
func (c *Client[Req, Resp]) Func() endpoint.Func[Req, Resp] { return c.call }

// Close stops following the instancer; later calls fail with go-kit's
// lb.ErrNoEndpoints. It is safe to call more than once.
func (c *Client[Req, Resp]) Close() { c.bal.Close() }

// idempotentMethod reports whether RFC 9110 calls method idempotent.
func idempotentMethod(method string) bool {
	switch strings.ToUpper(method) {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

// guard wraps a breaker so that its own rejections are told apart from
// the instance's failures: an error that did not come through the inner
// endpoint was the breaker's, and the request never left. The success
// path allocates nothing.
func guard(brk kitendpoint.Middleware) kitendpoint.Middleware {
	return func(next kitendpoint.Endpoint) kitendpoint.Endpoint {
		inner := brk(func(ctx context.Context, req any) (any, error) {
			resp, err := next(ctx, req)
			if err != nil {
				return resp, &sentError{err}
			}
			return resp, nil
		})
		return func(ctx context.Context, req any) (any, error) {
			resp, err := inner(ctx, req)
			if err == nil {
				return resp, nil
			}
			if se := (*sentError)(nil); errors.As(err, &se) {
				return resp, se.err
			}
			return resp, &unsentError{err}
		}
	}
}

// sentError marks an error of a request that reached the transport; it
// never leaves guard.
type sentError struct{ err error }

func (e *sentError) Error() string { return e.err.Error() }
func (e *sentError) Unwrap() error { return e.err }

// unsentError is the error of a request an open breaker rejected: it
// reads and unwraps as the breaker's error.
type unsentError struct{ err error }

func (e *unsentError) Error() string { return e.err.Error() }
func (e *unsentError) Unwrap() error { return e.err }

func neverSent(err error) bool {
	var u *unsentError
	return errors.As(err, &u)
}

// Op returns a Client calling the operation r (method, pattern and types
// from the one value the server registers, see httpt.Op) on the
// instances instancer publishes. It is HTTP(instancer, r.Method,
// r.Pattern, opts...).
func Op[Req, Resp any](instancer sd.Instancer, r httpt.Op[Req, Resp], opts ...Option) (*Client[Req, Resp], error) {
	return HTTP[Req, Resp](instancer, r.Method, r.Pattern, opts...)
}
