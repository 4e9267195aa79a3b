package kit

import "context"

// Hook is a component with a lifecycle, such as a gRPC server or a NATS
// connection. Run calls the Start functions in the order the hooks were
// added, once the listeners are bound and before the service listener
// serves; at shutdown it calls the Stop functions in reverse order, after
// the HTTP servers have drained. Either function may be nil.
//
// Start should return once the component is running (start a serve loop
// with App.Go, not inside Start). Its context is Run's: it ends when
// shutdown begins, so do not tie a resource that must outlive the drain
// (a connection) to it. Stop gets a context that ends at the
// shutdown deadline; past it, it should stop forcefully. If a Start fails,
// Run calls the Stop of every hook started before it and returns the error.
type Hook struct {
	Name  string
	Start func(ctx context.Context) error
	Stop  func(ctx context.Context) error
}

type namedFunc struct {
	name string
	fn   func(ctx context.Context) error
}

// AddHook adds h. It panics if Run has begun.
func (a *App) AddHook(h Hook) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.mustNotRun("AddHook")
	a.hooks = append(a.hooks, h)
}

// OnStart adds a hook with only a Start function.
func (a *App) OnStart(name string, fn func(ctx context.Context) error) {
	a.AddHook(Hook{Name: name, Start: fn})
}

// OnStop adds a hook with only a Stop function; it runs in reverse order
// of addition among all hooks.
func (a *App) OnStop(name string, fn func(ctx context.Context) error) {
	a.AddHook(Hook{Name: name, Stop: fn})
}

// OnReady adds fn to run once, after the service listener is serving and
// every readiness check has first passed: the place to register in
// discovery. The context ends when shutdown begins. An error stops the App
// and is returned by Run; a hook that wants to retry must do so itself.
// OnReady hooks run in the order added. It panics if Run has begun.
func (a *App) OnReady(name string, fn func(ctx context.Context) error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.mustNotRun("OnReady")
	a.ready = append(a.ready, namedFunc{name, fn})
}

// OnDrain adds fn to run first when shutdown begins, before readiness
// turns 503 and before the drain delay: the place to deregister from
// discovery and to set gRPC health to NOT_SERVING. Drain hooks run in the
// order added, each with a context bounded by the shutdown timeout; their
// errors are logged and returned by Run, but do not stop the shutdown. It
// panics if Run has begun.
func (a *App) OnDrain(name string, fn func(ctx context.Context) error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.mustNotRun("OnDrain")
	a.drain = append(a.drain, namedFunc{name, fn})
}

// Go runs fn in a goroutine owned by the App once the start hooks have
// returned: a serve loop or a consumer. Its context ends after the service
// HTTP server has shut down, and Run waits for fn to return (up to the
// shutdown deadline) before it runs the stop hooks, so a consumer ends
// before the connection it reads from is closed. fn must return when its
// context ends: a server whose Serve does not watch a context stops itself
// from a goroutine waiting on ctx.Done (grpc: GracefulStop). If fn returns
// a non-nil error before its context ends, the App shuts down and Run
// returns the error. It panics if Run has begun.
func (a *App) Go(name string, fn func(ctx context.Context) error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.mustNotRun("Go")
	a.tasks = append(a.tasks, namedFunc{name, fn})
}

// AddCheck adds a readiness check, served at /readyz on the admin
// listener. Checks run concurrently on each request, each under the
// check_timeout; the App is ready when all return nil. AddCheck may be
// called at any time.
func (a *App) AddCheck(name string, fn func(ctx context.Context) error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.checks = append(a.checks, namedFunc{name, fn})
}

func (a *App) mustNotRun(what string) {
	if a.running {
		panic("kit: " + what + " called after Run began")
	}
}
