package kit

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/gantrykit/gantry/kit/config"
	httpt "github.com/gantrykit/gantry/transport/http"
)

// App is one service process: its configuration, logger, metrics
// registry, tracer provider, HTTP routes, admin endpoints and lifecycle
// hooks. Build it with New, register routes and hooks, then call Run once.
// Registration methods are safe for concurrent use; hooks must be added
// before Run (they panic after), checks at any time.
type App struct {
	name, version, instance string
	opts                    options
	cfg                     Config
	err                     error
	chains                  chains

	logger *slog.Logger
	reg    *prometheus.Registry
	tp     *sdktrace.TracerProvider
	trace  traceSetup
	prop   propagation.TextMapPropagator
	mux    *httpt.Mux
	admin  *http.ServeMux

	mu      sync.Mutex
	running bool
	hooks   []Hook
	ready   []namedFunc
	drain   []namedFunc
	tasks   []namedFunc
	checks  []namedFunc

	state     atomic.Int32 // stateStarting, stateServing, stateDraining
	started   chan struct{}
	httpAddr  string // set before started is closed
	adminAddr string

	tlsEvery time.Duration // how often to stat the TLS files; tests set 0
	level    slog.LevelVar // the built-in handler's level (WatchConfig changes it)
}

const (
	stateStarting int32 = iota
	stateServing
	stateDraining
)

// New builds the App for the service called name and loads the
// configuration (see the package documentation). It does not start
// anything. A configuration error does not stop New: it is kept, returned
// by Err, and returned by Run before anything starts; in the meantime the
// App works with the runtime defaults. When the arguments ask for help
// (-h), that error's text is the usage and errors.Is(err, flag.ErrHelp).
func New(name string, opts ...Option) *App {
	o := options{args: os.Args[1:], getenv: os.Getenv}
	for _, opt := range opts {
		opt(&o)
	}
	a := &App{name: name, opts: o, cfg: DefaultConfig(), started: make(chan struct{}), tlsEvery: time.Second}
	a.version = o.version
	if a.version == "" {
		a.version = buildVersion()
	}
	a.err = a.loadConfig()
	if a.err != nil {
		a.cfg = DefaultConfig()
	}
	a.instance = a.cfg.Instance
	if a.instance == "" {
		a.instance = newInstanceID()
	}
	a.logger = newLogger(a.cfg, o, name, a.version, a.instance, &a.level)
	a.reg = o.registry
	if a.reg == nil {
		a.reg = prometheus.NewRegistry()
	}
	for _, c := range []prometheus.Collector{collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})} {
		if err := a.reg.Register(c); err != nil && !errors.As(err, new(prometheus.AlreadyRegisteredError)) {
			a.logger.Warn("registering a runtime collector", "error", err)
		}
	}
	setup, err := readTraceSetup(name, a.version, a.instance, a.cfg.Middleware.Tracing, o)
	if err != nil {
		if a.err == nil {
			a.err = err
		}
		setup = defaultTraceSetup(name, a.version, a.instance)
	}
	a.trace = setup
	a.tp = newTracerProvider(setup)
	a.prop = setup.prop
	if o.global {
		otel.SetTracerProvider(a.tp)
		otel.SetTextMapPropagator(a.prop)
	}
	a.mux = httpt.NewMux(httpt.WithTracing(a.tp, a.prop))
	a.admin = a.newAdminMux()
	return a
}

func (a *App) loadConfig() error {
	if a.name == "" {
		return errors.New("kit: the service name must not be empty")
	}
	sections := []config.Section{{Key: "gantry", EnvPrefix: "GANTRY", Target: &a.cfg}}
	if a.opts.service != nil {
		prefix := a.opts.envPrefix
		if prefix == "" {
			prefix = envName(a.name)
		}
		sections = append(sections, config.Section{Key: "service", EnvPrefix: prefix, Target: a.opts.service})
	}
	for _, s := range a.opts.sections {
		sections = append(sections, config.Section{Key: s.key, EnvPrefix: s.envPrefix, FlagPrefix: s.key, Target: s.target})
	}
	return config.Load(config.Source{
		Args: a.opts.args, Getenv: a.opts.getenv, FileFlag: "config", FileEnv: "GANTRY_CONFIG",
	}, sections...)
}

// envName turns a service name into an environment prefix: "order-api" →
// "ORDER_API".
func envName(name string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			return r
		}
		return '_'
	}, name)
}

func buildVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

func newInstanceID() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "instance"
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	return host + "-" + hex.EncodeToString(b[:])
}

// Err returns the configuration error New met, or the error building the
// middleware chains (see Middleware), or nil. Run returns the same error
// without starting anything.
func (a *App) Err() error {
	if a.err != nil {
		return a.err
	}
	return a.chainErr()
}

// Name returns the service name given to New.
func (a *App) Name() string { return a.name }

// Version returns the service version (WithVersion, or the build info).
func (a *App) Version() string { return a.version }

// InstanceID returns this process's instance ID (gantry.instance, or the
// host name and a random suffix): the ID to register in discovery.
func (a *App) InstanceID() string { return a.instance }

// Config returns the loaded runtime configuration.
func (a *App) Config() Config { return a.cfg }

// Logger returns the App's logger. It carries service, version and
// instance attributes, and adds trace_id and span_id when the context
// passed to a *Context logging method carries a valid span.
func (a *App) Logger() *slog.Logger { return a.logger }

// Registry returns the App's Prometheus registry, served at /metrics on
// the admin listener. Register the service's metrics here, never in the
// global default registry.
func (a *App) Registry() *prometheus.Registry { return a.reg }

// TracerProvider returns the App's OpenTelemetry tracer provider. It is
// shut down, flushing its spans, at the end of Run.
func (a *App) TracerProvider() *sdktrace.TracerProvider { return a.tp }

// ParentBased reports whether the App's sampler is parent-based with the
// SDK's defaults for parents (unless kit.WithSampler or OTEL_TRACES_SAMPLER
// says otherwise), and then the share of new traces its root sampler
// records: 0 for parentbased_always_off (the default), 1 for
// parentbased_always_on, the ratio of parentbased_traceidratio. Transports
// use it to start no span the sampler would drop (grpct.WithParentBased),
// as the endpoint chain does.
func (a *App) ParentBased() (rootRatio float64, ok bool) {
	return a.trace.rootOnly, a.trace.rootOnly >= 0
}

// Propagator returns the App's W3C tracecontext + baggage propagator.
func (a *App) Propagator() propagation.TextMapPropagator { return a.prop }

// HTTP returns the service listener's router. Register routes before Run.
func (a *App) HTTP() *httpt.Mux { return a.mux }

// Admin returns the admin listener's router, which already serves
// /metrics, /healthz and /readyz. Add internal endpoints here, before Run
// (kit/pprofkit adds /debug/pprof/).
func (a *App) Admin() *http.ServeMux { return a.admin }

// Started returns a channel closed once the listeners are bound, the start
// hooks have returned and the service listener is serving. It is never
// closed if Run fails to start; wait on Run's result too.
func (a *App) Started() <-chan struct{} { return a.started }

// HTTPAddr returns the bound address of the service listener, "" before
// Started is closed. With http_addr ":0" it tells which port was chosen.
func (a *App) HTTPAddr() string {
	select {
	case <-a.started:
		return a.httpAddr
	default:
		return ""
	}
}

// AdminAddr returns the bound address of the admin listener, "" before
// Started is closed.
func (a *App) AdminAddr() string {
	select {
	case <-a.started:
		return a.adminAddr
	default:
		return ""
	}
}
