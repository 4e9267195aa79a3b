package grpckit

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"

	"github.com/gantrykit/gantry/kit"
	grpct "github.com/gantrykit/gantry/transport/grpc"
)

// Server is an App's gRPC server: a transport/grpc Server (register
// services on it with the generated RegisterXServer functions) whose
// lifecycle the App owns.
type Server struct {
	*grpct.Server
	app *kit.App

	mu   sync.Mutex
	ln   net.Listener
	addr string
}

// NewServer returns a gRPC server traced with app's tracer provider and
// propagator (no span where its sampler would record none: App.ParentBased)
// and measured in its registry, and wires it into app's Run: if
// any service is registered by the time Run starts, it listens on
// GANTRY_GRPC_ADDR (default :50051) and serves grpc.health.v1 and
// reflection beside the services. When shutdown begins (the drain hooks),
// every service turns NOT_SERVING; after the HTTP server has closed,
// GracefulStop lets in-flight calls finish, and a hard stop ends whatever
// is left at the shutdown deadline. Call it before Run, at most once per
// App. Give the Server to kit.Registration.GRPC to advertise it in
// discovery. It fails with a *promreg.ClashError, before wiring anything,
// when another package holds one of the transport's metric names on the
// App's registry (see grpct.NewMetrics).
func NewServer(app *kit.App, opts ...grpct.Option) (*Server, error) {
	m, err := grpct.NewMetrics(app.Registry())
	if err != nil {
		return nil, err
	}
	base := []grpct.Option{grpct.WithTracerProvider(app.TracerProvider()),
		grpct.WithPropagator(app.Propagator()), grpct.WithMetrics(m)}
	if ratio, ok := app.ParentBased(); ok {
		base = append(base, grpct.WithParentBased(ratio))
	}
	g := &Server{Server: grpct.NewServer(append(base, opts...)...), app: app}
	app.AddHook(kit.Hook{Name: "grpc", Start: g.listen, Stop: g.stop})
	app.OnDrain("grpc", func(context.Context) error { g.Drain(); return nil })
	app.Go("grpc", g.serve)
	return g, nil
}

// Addr returns the address the server listens on, or "" before Run has
// started it (or when no service is registered, or g is nil).
func (g *Server) Addr() string {
	if g == nil {
		return ""
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.addr
}

func (g *Server) listen(context.Context) error {
	log := g.app.Logger()
	if len(g.Services()) == 0 {
		log.Info("no gRPC service registered; not serving gRPC")
		return nil
	}
	ln, err := net.Listen("tcp", g.app.Config().GRPCAddr)
	if err != nil {
		return fmt.Errorf("gRPC listener (GANTRY_GRPC_ADDR): %w", err)
	}
	g.mu.Lock()
	g.ln, g.addr = ln, ln.Addr().String()
	g.mu.Unlock()
	log.Info("serving gRPC", "grpc_addr", g.addr, "services", g.Services())
	return nil
}

// serve runs until ctx ends (after the HTTP server has closed), then stops
// gracefully within the shutdown timeout.
func (g *Server) serve(ctx context.Context) error {
	g.mu.Lock()
	ln := g.ln
	g.mu.Unlock()
	if ln == nil {
		return nil
	}
	errc := make(chan error, 1)
	go func() { errc <- g.Serve(ln) }()
	select {
	case err := <-errc: // the listener failed: the App shuts down
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), g.app.Config().ShutdownTimeout)
	defer cancel()
	err := g.Shutdown(sctx)
	return errors.Join(err, <-errc)
}

// stop makes sure the server is down; it matters when a later start hook
// failed and serve never ran.
func (g *Server) stop(ctx context.Context) error {
	g.mu.Lock()
	ln := g.ln
	g.mu.Unlock()
	if ln == nil {
		return nil
	}
	_ = ln.Close()
	return g.Shutdown(ctx)
}
