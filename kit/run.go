package kit

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	httpt "github.com/gantrykit/gantry/transport/http"
)

// ErrShutdownTimeout is wrapped by Run's error when the shutdown deadline
// (gantry.shutdown_timeout) passed before requests, tasks and stop hooks
// had finished.
var ErrShutdownTimeout = errors.New("kit: shutdown timed out")

// Run starts the App and blocks until ctx ends, SIGINT or SIGTERM arrives
// (unless WithoutSignals), a task started with Go fails, an OnReady hook
// fails or a listener stops; then it shuts down gracefully. Start: bind the
// admin and service listeners and serve the admin one, run the start
// hooks in order, serve the service listener, start the Go tasks, and once
// every readiness check passes run the OnReady hooks. Shutdown: run the
// OnDrain hooks, turn /readyz to 503, wait the drain delay, then, under
// the shutdown timeout, shut the service server down (in-flight requests
// finish), end the Go tasks and wait for them, run the stop hooks in reverse order, close
// the admin server and flush the tracer provider.
//
// Run returns nil after a clean shutdown caused by ctx or a signal. It
// returns the configuration error if New met one, a start error (a
// listener that cannot bind, a failed start hook; hooks already started
// are stopped first), the error that caused the shutdown, and any
// shutdown error, joined; ErrShutdownTimeout when the deadline passed. Run
// may be called once.
func (a *App) Run(ctx context.Context) error {
	if err := a.Err(); err != nil {
		return err
	}
	a.mu.Lock()
	if a.running {
		a.mu.Unlock()
		return errors.New("kit: Run called twice")
	}
	a.running = true
	hooks, tasks, ready, drain := a.hooks, a.tasks, a.ready, a.drain
	a.mu.Unlock()

	stopSignals := func() {}
	if !a.opts.noSignals {
		ctx, stopSignals = signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
		defer stopSignals()
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	fail := func(err error) { cancel(&fatal{err}) }

	if err := a.startExport(ctx); err != nil {
		return errors.Join(err, a.tp.Shutdown(context.Background()))
	}
	s, err := a.listen()
	if err != nil {
		return errors.Join(err, a.tp.Shutdown(context.Background()))
	}
	var serving sync.WaitGroup
	serving.Go(func() { a.serve(fail, "admin", s.admin, s.adminLn, nil) })

	for i, h := range hooks {
		if h.Start == nil {
			continue
		}
		if err := h.Start(ctx); err != nil {
			err = fmt.Errorf("kit: start %s: %w", h.Name, err)
			a.logger.Error("start failed", "hook", h.Name, "error", err)
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.cfg.ShutdownTimeout)
			defer cancel()
			s.httpLn.Close()
			errs := []error{err, a.stopHooks(sctx, hooks[:i]), closeServer(sctx, s.admin), a.tp.Shutdown(sctx)}
			serving.Wait()
			return errors.Join(errs...)
		}
	}
	serving.Go(func() { a.serve(fail, "http", s.http, s.httpLn, s.tls) })

	taskCtx, endTasks := context.WithCancel(context.WithoutCancel(ctx))
	defer endTasks()
	var taskWG sync.WaitGroup
	for _, t := range tasks {
		taskWG.Go(func() {
			if err := t.fn(taskCtx); err != nil && taskCtx.Err() == nil {
				fail(fmt.Errorf("kit: task %s: %w", t.name, err))
			}
		})
	}
	a.state.Store(stateServing)
	close(a.started)
	a.logger.Info("serving", "http_addr", a.httpAddr, "admin_addr", a.adminAddr, "tls", s.tls != nil)

	var readyWG sync.WaitGroup
	readyWG.Go(func() { a.whenReady(ctx, fail, ready) })

	<-ctx.Done()
	stopSignals() // a second signal now ends the process at once, as by default
	cause := context.Cause(ctx)
	readyWG.Wait()
	var errs []error
	if f, ok := cause.(*fatal); ok {
		errs = append(errs, f.err) // a task, a ready hook or a listener failed
	}
	a.logger.Info("shutting down", "cause", cause.Error())
	errs = append(errs, a.shutdown(context.WithoutCancel(ctx), s, drain, hooks, endTasks, &taskWG, &serving))
	return errors.Join(errs...)
}

// shutdown runs the shutdown sequence described on Run.
func (a *App) shutdown(ctx context.Context, s *servers, drain []namedFunc, hooks []Hook, endTasks func(), tasks, serving *sync.WaitGroup) error {
	var errs []error
	dctx, cancel := context.WithTimeout(ctx, a.cfg.ShutdownTimeout)
	for _, d := range drain {
		if err := d.fn(dctx); err != nil {
			a.logger.Error("drain hook failed", "hook", d.name, "error", err)
			errs = append(errs, fmt.Errorf("kit: drain %s: %w", d.name, err))
		}
	}
	cancel()
	a.state.Store(stateDraining)
	if a.cfg.DrainDelay > 0 {
		t := time.NewTimer(a.cfg.DrainDelay)
		<-t.C
	}

	sctx, cancel := context.WithTimeout(ctx, a.cfg.ShutdownTimeout)
	defer cancel()
	if err := closeServer(sctx, s.http); err != nil {
		errs = append(errs, fmt.Errorf("%w: closing the service listener: %w", ErrShutdownTimeout, err))
	}
	if ln, ok := s.httpLn.(interface{ Shutdown(context.Context) error }); ok {
		if err := ln.Shutdown(sctx); err != nil {
			errs = append(errs, fmt.Errorf("%w: draining the service listener: %w", ErrShutdownTimeout, err))
		}
	}
	endTasks()
	done := make(chan struct{})
	go func() { tasks.Wait(); close(done) }()
	select {
	case <-done:
	case <-sctx.Done():
		errs = append(errs, fmt.Errorf("%w: waiting for tasks started with Go", ErrShutdownTimeout))
	}
	errs = append(errs, a.stopHooks(sctx, hooks))
	if err := closeServer(sctx, s.admin); err != nil {
		errs = append(errs, fmt.Errorf("%w: closing the admin listener: %w", ErrShutdownTimeout, err))
	}
	serving.Wait()
	if err := a.tp.Shutdown(sctx); err != nil {
		errs = append(errs, fmt.Errorf("kit: flushing traces: %w", err))
	}
	err := errors.Join(errs...)
	if err != nil {
		a.logger.Error("shutdown finished with errors", "error", err)
	} else {
		a.logger.Info("stopped")
	}
	return err
}

// stopHooks calls the Stop functions of hooks in reverse order, all of
// them even after a failure or past the deadline.
func (a *App) stopHooks(ctx context.Context, hooks []Hook) error {
	var errs []error
	for i := len(hooks) - 1; i >= 0; i-- {
		h := hooks[i]
		if h.Stop == nil {
			continue
		}
		if err := h.Stop(ctx); err != nil {
			a.logger.Error("stop hook failed", "hook", h.Name, "error", err)
			errs = append(errs, fmt.Errorf("kit: stop %s: %w", h.Name, err))
		}
	}
	if ctx.Err() != nil {
		errs = append(errs, fmt.Errorf("%w: stop hooks", ErrShutdownTimeout))
	}
	return errors.Join(errs...)
}

// whenReady polls the checks until they all pass, then runs the OnReady
// hooks; it gives up when ctx ends.
func (a *App) whenReady(ctx context.Context, fail func(error), ready []namedFunc) {
	wait := 10 * time.Millisecond
	for {
		if ok, _ := a.runChecks(ctx); ok {
			break
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		wait = min(2*wait, time.Second)
	}
	for _, r := range ready {
		if ctx.Err() != nil {
			return
		}
		if err := r.fn(ctx); err != nil {
			fail(fmt.Errorf("kit: ready %s: %w", r.name, err))
			return
		}
	}
	a.logger.Info("ready")
}

// fatal marks the cause of a shutdown that Run must report.
type fatal struct{ err error }

func (f *fatal) Error() string { return f.err.Error() }

// closeServer shuts srv down gracefully and, if ctx ends first, closes its
// remaining connections.
func closeServer(ctx context.Context, srv *http.Server) error {
	err := srv.Shutdown(ctx)
	if err != nil {
		_ = srv.Close()
	}
	return err
}

type servers struct {
	http, admin     *http.Server
	httpLn, adminLn net.Listener
	tls             *tls.Config
}

// mountOpenAPI serves the OpenAPI document of the typed routes at
// /openapi.json on the service listener, unless the service registered
// that path itself.
func (a *App) mountOpenAPI() {
	for _, rt := range a.mux.Routes() {
		if rt.Path == "/openapi.json" {
			return
		}
	}
	a.mux.Handle("GET /openapi.json", a.mux.OpenAPIHandler(httpt.Info{Title: a.name, Version: a.version}))
}

// listen binds both listeners and builds their servers.
func (a *App) listen() (*servers, error) {
	s := &servers{}
	if a.cfg.TLS.CertFile != "" {
		var err error
		if s.tls, err = newServerTLS(a.cfg.TLS, a.tlsEvery, a.logger); err != nil {
			return nil, err
		}
	}
	var err error
	if s.adminLn, err = net.Listen("tcp", a.cfg.AdminAddr); err != nil {
		return nil, fmt.Errorf("kit: admin listener: %w", err)
	}
	if s.httpLn, err = net.Listen("tcp", a.cfg.HTTPAddr); err != nil {
		s.adminLn.Close()
		return nil, fmt.Errorf("kit: service listener: %w", err)
	}
	if a.opts.wrapHTTP != nil && s.tls == nil {
		s.httpLn = a.opts.wrapHTTP(s.httpLn)
	}
	a.adminAddr, a.httpAddr = s.adminLn.Addr().String(), s.httpLn.Addr().String()
	a.mountOpenAPI()
	s.admin, s.http = a.server(a.admin), a.server(a.mux)
	s.http.TLSConfig = s.tls
	return s, nil
}

func (a *App) server(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: a.cfg.ReadHeaderTimeout,
		ReadTimeout:       a.cfg.ReadTimeout,
		WriteTimeout:      a.cfg.WriteTimeout,
		IdleTimeout:       a.cfg.IdleTimeout,
		MaxHeaderBytes:    a.cfg.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(a.logger.Handler(), slog.LevelWarn),
	}
}

// serve serves srv on ln until it is shut down; any other end stops the App.
func (a *App) serve(fail func(error), name string, srv *http.Server, ln net.Listener, tc *tls.Config) {
	var err error
	if tc != nil {
		err = srv.ServeTLS(ln, "", "")
	} else {
		err = srv.Serve(ln)
	}
	if !errors.Is(err, http.ErrServerClosed) {
		fail(fmt.Errorf("kit: %s listener: %w", name, err))
	}
}
