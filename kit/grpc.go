package kit

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"

	grpct "github.com/gantrykit/gantry/transport/grpc"
)

// DefaultGRPCAddr is where the App serves gRPC when GANTRY_GRPC_ADDR is
// not set.
const DefaultGRPCAddr = ":50051"

// GRPCServer is the App's gRPC server: a transport/grpc Server (register
// services on it with the generated RegisterXServer functions) whose
// lifecycle the App owns.
type GRPCServer struct {
	*grpct.Server
	app *App

	mu   sync.Mutex
	ln   net.Listener
	addr string
}

// NewGRPC returns a gRPC server traced with the App's tracer provider and
// propagator and measured in its registry, and wires it into Run: if any
// service is registered by the time Run starts, it listens on
// GANTRY_GRPC_ADDR (default :50051) and serves grpc.health.v1 and
// reflection beside the services. When shutdown begins (the drain hooks),
// every service turns NOT_SERVING; after the HTTP server has closed,
// GracefulStop lets in-flight calls finish, and a hard stop ends whatever
// is left at the shutdown deadline. Call it before Run, at most once.
func (a *App) NewGRPC(opts ...grpct.Option) *GRPCServer {
	base := []grpct.Option{grpct.WithTracerProvider(a.tp), grpct.WithPropagator(a.prop), grpct.WithRegisterer(a.reg)}
	g := &GRPCServer{Server: grpct.NewServer(append(base, opts...)...), app: a}
	a.AddHook(Hook{Name: "grpc", Start: g.listen, Stop: g.stop})
	a.OnDrain("grpc", func(context.Context) error { g.Drain(); return nil })
	a.Go("grpc", g.serve)
	return g
}

// Addr returns the address the server listens on, or "" before Run has
// started it (or when no service is registered).
func (g *GRPCServer) Addr() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.addr
}

func (g *GRPCServer) listen(context.Context) error {
	if len(g.Services()) == 0 {
		g.app.logger.Info("no gRPC service registered; not serving gRPC")
		return nil
	}
	ln, err := net.Listen("tcp", g.app.cfg.GRPCAddr)
	if err != nil {
		return fmt.Errorf("gRPC listener (GANTRY_GRPC_ADDR): %w", err)
	}
	g.mu.Lock()
	g.ln, g.addr = ln, ln.Addr().String()
	g.mu.Unlock()
	g.app.logger.Info("serving gRPC", "grpc_addr", g.addr, "services", g.Services())
	return nil
}

// serve runs until ctx ends (after the HTTP server has closed), then stops
// gracefully within the shutdown timeout.
func (g *GRPCServer) serve(ctx context.Context) error {
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
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), g.app.cfg.ShutdownTimeout)
	defer cancel()
	err := g.Shutdown(sctx)
	return errors.Join(err, <-errc)
}

// stop makes sure the server is down; it matters when a later start hook
// failed and serve never ran.
func (g *GRPCServer) stop(ctx context.Context) error {
	g.mu.Lock()
	ln := g.ln
	g.mu.Unlock()
	if ln == nil {
		return nil
	}
	_ = ln.Close()
	return g.Shutdown(ctx)
}
