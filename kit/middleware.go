package kit

import (
	"sync"
	"sync/atomic"

	kitendpoint "github.com/go-kit/kit/endpoint"

	"github.com/gantrykit/gantry/middleware"
	"github.com/gantrykit/gantry/middleware/tracing"
)

// chains holds the App's default middleware chains, built on first use so
// that an App that never asks registers no call metrics.
type chains struct {
	once   sync.Once
	server *middleware.Server
	client *middleware.Client
	err    error
	built  atomic.Bool // set after once has run, so chainErr can read err
}

func (a *App) buildChains() {
	a.chains.once.Do(func() {
		deps := middleware.Deps{
			Service:        a.name,
			Registerer:     a.reg,
			TracerProvider: a.tp,
			Logger:         a.logger,
			// The App's logger, given or made, runs through telemetry.NewHandler.
			LoggerAddsTraceIDs: true,
		}
		if a.trace.rootOnly >= 0 {
			deps.TracerOptions = []tracing.Option{tracing.WithParentBased(a.trace.rootOnly)}
		}
		a.chains.server, a.chains.err = middleware.NewServer(a.cfg.Middleware, deps)
		if a.chains.err == nil {
			// Every route may be served through the chain: the document
			// lists what its layers answer.
			a.mux.Errors(a.chains.server.Errors()...)
			a.chains.client, a.chains.err = middleware.NewClient(a.cfg.Client, deps)
		}
		a.chains.built.Store(true)
	})
}

// Middleware returns the default server chain for the operation op, outermost
// first: recovery → tracing → metrics → logging → shed → rate limit →
// timeout, each switched and tuned by the gantry.middleware
// configuration (GANTRY_MIDDLEWARE_*). The slice is the caller's: reorder,
// drop or append to it before passing it to endpoint.Wrap:
//
//	create := endpoint.Wrap(svc.CreateOrder, app.Middleware("create_order")...)
//
// Name operations with a short, bounded identifier: it labels metrics and
// keys per-operation state (limits). Per-operation state is shared
// by every call of Middleware with the same op. If the chain cannot be built
// (a collector clash in a registry passed with WithRegistry), Middleware
// returns nil, and Run and Err return the error.
func (a *App) Middleware(op string) []kitendpoint.Middleware {
	a.buildChains()
	if a.chains.err != nil {
		return nil
	}
	return a.chains.server.For(op)
}

// ClientMiddleware returns the default client chain for calls of the remote
// operation op (name it after the remote side, e.g. "products.get"):
// tracing → metrics → logging → retry → breaker → timeout, tuned by the
// gantry.client configuration (GANTRY_CLIENT_*). Retries apply only to
// operations listed in gantry.client.retry.idempotent or calls marked
// idempotent (see package middleware/retry).
func (a *App) ClientMiddleware(op string) []kitendpoint.Middleware {
	a.buildChains()
	if a.chains.err != nil {
		return nil
	}
	return a.chains.client.For(op)
}

// ClientMiddlewareForTracedAttempts is ClientMiddleware for a transport
// that traces each attempt with a client span of its own (kit/grpckit.Dial:
// one per attempt, through otelgrpc): the chain's span is INTERNAL, the
// parent of the attempts, never a second client span of the same call
// (middleware.Client.ForTracedAttempts).
func (a *App) ClientMiddlewareForTracedAttempts(op string) []kitendpoint.Middleware {
	a.buildChains()
	if a.chains.err != nil {
		return nil
	}
	return a.chains.client.ForTracedAttempts(op)
}

// chainErr reports an error from building the chains, if they were built.
func (a *App) chainErr() error {
	if !a.chains.built.Load() {
		return nil
	}
	return a.chains.err
}
