package gateway

import (
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"os"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-kit/kit/sd"
	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// Gateway is an http.Handler that routes requests to upstream services by
// its route table. It is safe for concurrent use; Reload swaps the table
// atomically while requests are served. Close it to stop following
// discovery.
type Gateway struct {
	tracer   trace.Tracer
	server   []trace.SpanStartOption // span kind options, built once
	client   []trace.SpanStartOption
	logger   *slog.Logger
	errLog   *log.Logger
	getenv   func(string) string
	resolver Resolver
	jwks     *http.Client // fetches auth.jwks_url; nil: auth's default
	metrics  *metrics
	// unmatched counts requests no route matched (route="", code="404").
	unmatched prometheus.Counter
	buffers   *bufferPool
	h1, h2c   http.RoundTripper
	docs      *docs

	mu     sync.Mutex // serialises Reload and Close
	table  atomic.Pointer[table]
	config atomic.Pointer[Config]
	auth   atomic.Pointer[verifier]
}

// Option configures a Gateway.
type Option func(*options)

type options struct {
	reg      prometheus.Registerer
	tp       trace.TracerProvider
	logger   *slog.Logger
	getenv   func(string) string
	resolver Resolver
	jwks     *http.Client
}

// WithRegisterer registers the gateway's metrics on reg (default: none).
// Gateways on one registry share the collectors; New fails with a
// *promreg.ClashError if another package holds one of their names.
func WithRegisterer(reg prometheus.Registerer) Option { return func(o *options) { o.reg = reg } }

// WithTracerProvider makes spans for each request and upstream attempt
// (default: no spans, trace context still propagated).
func WithTracerProvider(tp trace.TracerProvider) Option { return func(o *options) { o.tp = tp } }

// WithLogger writes the access log and errors to l (default: discarded).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithGetenv reads secrets named in the config through getenv (default
// os.Getenv).
func WithGetenv(getenv func(string) string) Option { return func(o *options) { o.getenv = getenv } }

// WithResolver resolves services that have no static URLs.
func WithResolver(r Resolver) Option { return func(o *options) { o.resolver = r } }

// WithJWKSClient fetches auth.jwks_url with c (default: a client with a
// 10 s timeout), for example one whose Transport reads the key set from
// any live replica of the issuing service, as the shop's gateway does.
func WithJWKSClient(c *http.Client) Option { return func(o *options) { o.jwks = c } }

// New builds a Gateway serving cfg. It fails with *ConfigError values when
// cfg is invalid or names a secret that is not set.
func New(cfg *Config, opts ...Option) (*Gateway, error) {
	o := options{getenv: os.Getenv}
	for _, opt := range opts {
		opt(&o)
	}
	if o.tp == nil {
		o.tp = noop.NewTracerProvider()
	}
	if o.logger == nil {
		o.logger = slog.New(slog.DiscardHandler)
	}
	m, err := newMetrics(o.reg)
	if err != nil {
		return nil, fmt.Errorf("gateway metrics: %w", err)
	}
	g := &Gateway{
		tracer:   o.tp.Tracer("github.com/gantrykit/gantry/gateway"),
		server:   []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindServer)},
		client:   []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindClient)},
		logger:   o.logger,
		errLog:   slog.NewLogLogger(o.logger.Handler(), slog.LevelWarn),
		getenv:   o.getenv,
		resolver: o.resolver,
		jwks:     o.jwks,
		metrics:  m,
		buffers:  newBufferPool(),
		h1:       newH1Transport(newTransport(false)),
		h2c:      newTransport(true),
	}
	g.unmatched = m.requests.WithLabelValues("", "404")
	g.docs = newDocs(g)
	if err := g.Reload(cfg); err != nil {
		return nil, err
	}
	return g, nil
}

// Reload validates cfg and swaps it in. Requests in flight finish on the
// route they matched; upstreams whose config did not change keep their
// connections, breakers and latency estimates. On error the old table stays.
func (g *Gateway) Reload(cfg *Config) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	old := g.table.Load()
	v, err := newVerifier(cfg.Auth, g.getenv, g.jwks)
	if err != nil {
		return err
	}
	t, err := g.build(cfg, old)
	if err != nil {
		return err
	}
	g.auth.Store(v)
	g.table.Store(t)
	g.config.Store(cfg)
	g.docs.setConfig(cfg)
	if old != nil {
		for name, u := range old.ups {
			if t.ups[name] != u {
				u.close()
			}
		}
	}
	return nil
}

// Close stops following discovery for every upstream and closes idle
// upstream connections. The Gateway must not serve afterwards.
func (g *Gateway) Close() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if t := g.table.Load(); t != nil {
		for _, u := range t.ups {
			u.close()
		}
	}
	for _, rt := range []http.RoundTripper{g.h1, g.h2c} {
		rt.(interface{ CloseIdleConnections() }).CloseIdleConnections()
	}
	return nil
}

func (g *Gateway) build(cfg *Config, old *table) (*table, error) {
	t := &table{patterns: map[string]*http.ServeMux{}, ups: map[string]*upstream{}}
	var errList []error
	for i, rc := range cfg.Routes {
		u, err := g.upstream(t, old, rc.Service, cfg.Services[rc.Service])
		if err != nil {
			errList = append(errList, err)
			continue
		}
		rt := &route{
			name: rc.Name, prefix: rc.Prefix, host: rc.Host, version: rc.Version,
			strip: rc.StripPrefix, rewrite: rc.Rewrite, timeout: rc.Timeout, attempt: rc.AttemptTimeout, retries: rc.Retries,
			maxBody: rc.MaxBody, jwt: rc.Auth.Mode == "jwt", scopes: rc.Auth.Scopes,
			limiter: newRouteLimiter(rc.Name, rc.RateLimit), limitSub: rc.RateLimit.Key == "subject",
			cors: newCORS(rc.CORS), websocket: rc.WebSocket, up: u, m: g.metrics.forRoute(rc.Name, rc.Service),
			template: routeTemplate(rc.Pattern, rc.Prefix, rc.Version),
		}
		if len(rc.Methods) > 0 {
			rt.methods = rc.Methods
		}
		if rt.timeout == 0 {
			rt.timeout = 30 * time.Second
		}
		if rt.maxBody == 0 {
			rt.maxBody = 10 << 20
		}
		if rc.Pattern == "" {
			t.prefixes = append(t.prefixes, rt)
			continue
		}
		rt.static = staticPrefix(rc.Pattern)
		mux := t.patterns[rc.Version]
		if mux == nil {
			mux = http.NewServeMux()
			t.patterns[rc.Version] = mux
		}
		p := rc.Pattern
		if rc.Host != "" {
			method, path := "", p
			if i := indexSpace(p); i >= 0 {
				method, path = p[:i+1], p[i+1:]
			}
			p = method + rc.Host + path
		}
		if err := safeHandle(mux, p, routeHandler{rt}); err != nil {
			errList = append(errList, &ConfigError{Line: cfg.lines[fmt.Sprintf("routes[%d].pattern", i)], Key: fmt.Sprintf("routes[%d].pattern", i), Msg: err.Error()})
		}
	}
	if err := errors.Join(errList...); err != nil {
		for name, u := range t.ups { // stop what this failed build started
			if old == nil || old.ups[name] != u {
				u.close()
			}
		}
		return nil, err
	}
	sortRoutes(t.prefixes)
	return t, nil
}

// upstream returns the upstream for a service, reusing the old table's when
// its config is unchanged.
func (g *Gateway) upstream(t, old *table, name string, sc ServiceConfig) (*upstream, error) {
	if u := t.ups[name]; u != nil {
		return u, nil
	}
	if old != nil {
		if u := old.ups[name]; u != nil && reflect.DeepEqual(u.cfg, sc) {
			t.ups[name] = u
			return u, nil
		}
	}
	tr := g.h1
	if sc.H2C {
		tr = g.h2c
	}
	u := &upstream{name: name, cfg: sc, g: g, m: g.metrics.forUpstream(name)}
	u.proxy = g.newProxy(tr)
	u.budget = newRetryBudget()
	if len(sc.URLs) > 0 {
		u.instancer = sd.FixedInstancer(sc.URLs)
	} else {
		if g.resolver == nil {
			return nil, &ConfigError{Key: "services." + name, Msg: "no urls and no resolver to discover it"}
		}
		inst, err := g.resolver.Instancer(name)
		if err != nil {
			return nil, &ConfigError{Key: "services." + name, Msg: "discovery: " + err.Error()}
		}
		u.instancer, u.owned = inst, true
	}
	u.start()
	t.ups[name] = u
	return u, nil
}

func indexSpace(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' || s[i] == '\t' {
			return i
		}
	}
	return -1
}

func safeHandle(mux *http.ServeMux, pattern string, h http.Handler) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	mux.Handle(pattern, h)
	return nil
}
