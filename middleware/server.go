package middleware

import (
	"fmt"
	"log/slog"
	"sync"

	kitendpoint "github.com/go-kit/kit/endpoint"
	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/trace"

	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/middleware/logging"
	"github.com/gantrykit/gantry/middleware/metrics"
	"github.com/gantrykit/gantry/middleware/ratelimit"
	"github.com/gantrykit/gantry/middleware/recovery"
	"github.com/gantrykit/gantry/middleware/shed"
	"github.com/gantrykit/gantry/middleware/timeout"
	"github.com/gantrykit/gantry/middleware/tracing"
)

// Deps are what the chains observe with. Every field is optional: without a
// Registerer no metrics are exported, without a TracerProvider no spans
// are made, without a Logger nothing is logged.
type Deps struct {
	// Service labels metrics and names spans.
	Service        string
	Registerer     prometheus.Registerer
	TracerProvider trace.TracerProvider
	// Logger is used as given: give it the attributes every record should
	// carry, such as the service name (kit's logger has service, version
	// and instance).
	Logger *slog.Logger
	// LoggerAddsTraceIDs says the Logger's handler adds trace_id and
	// span_id to every record whose context carries a span (kit's does),
	// so the logging layer does not add trace_id a second time.
	LoggerAddsTraceIDs bool
	// TracerOptions are added to the tracing layers' options, such as
	// tracing.WithParentBased describing the provider's sampler (kit's
	// App gives it).
	TracerOptions []tracing.Option
}

// Layer is one named middleware factory of a chain.
type Layer struct {
	Name string // "recovery", "tracing", ...
	For  func(op string) kitendpoint.Middleware
}

// Server builds the default server chain of one App. Build it once and ask
// it per operation; per-operation state (limits, metric children)
// lives inside it, keyed by operation name. It is safe for concurrent use;
// Update changes its rate limit while it runs.
type Server struct {
	layers  []Layer
	limiter *ratelimit.Limiter

	mu  sync.Mutex
	cfg Config // running
}

// NewServer builds the server chain that cfg switches on. It fails with a
// *promreg.ClashError if another package holds one of the chain's metric
// names on the Registerer.
func NewServer(cfg Config, deps Deps) (*Server, error) {
	s := &Server{cfg: cfg}
	add := func(name string, f func(string) kitendpoint.Middleware) {
		s.layers = append(s.layers, Layer{Name: name, For: f})
	}
	if !cfg.Recovery.Disabled {
		add("recovery", recovery.New(recovery.WithLogger(deps.Logger)).For)
	}
	if !cfg.Tracing.Disabled && deps.TracerProvider != nil {
		add("tracing", newTracer(deps, trace.SpanKindServer).For)
	}
	if !cfg.Metrics.Disabled && deps.Registerer != nil {
		m, err := metrics.New(deps.Registerer, metrics.WithService(deps.Service))
		if err != nil {
			return nil, fmt.Errorf("middleware: metrics: %w", err)
		}
		add("metrics", m.For)
	}
	if !cfg.Logging.Disabled && deps.Logger != nil {
		add("logging", newLogger(cfg.Logging, deps).For)
	}
	if c := cfg.Shed; !c.Disabled {
		queue := or(c.Queue, shed.DefaultQueue)
		opts := []shed.Option{
			shed.WithMaxInFlight(or(c.MaxInFlight, shed.DefaultMaxInFlight)),
			shed.WithAdaptive(!c.FixedLimit),
			shed.WithLimits(or(c.InitialLimit, shed.DefaultInitialLimit), or(c.MinLimit, shed.DefaultMinLimit)),
			shed.WithQueue(max(queue, 0), or(c.QueueWait, shed.DefaultQueueWait)),
			shed.WithRetryAfter(or(c.RetryAfter, shed.DefaultRetryAfter)),
		}
		if deps.Registerer != nil {
			m, err := shed.NewMetrics(deps.Registerer)
			if err != nil {
				return nil, fmt.Errorf("middleware: shed metrics: %w", err)
			}
			opts = append(opts, shed.WithMetrics(m, deps.Service))
		}
		add("shed", shed.New(opts...).For)
	}
	// Always there, so that Update can turn it on: with no limit it costs
	// a call one atomic load.
	s.limiter = newLimiter(cfg.RateLimit)
	add("ratelimit", s.limiter.For)
	if cfg.Timeout.Timeout > 0 {
		add("timeout", timeout.New(cfg.Timeout.Timeout).For)
	}
	return s, nil
}

// For returns the chain for operation op, outermost first, as a new slice
// the caller owns and may edit: recovery, tracing, metrics, logging, shed,
// ratelimit, timeout, leaving out what the config switched off. It has no
// breaker: see the package doc for why.
// Apply it with endpoint.Wrap(f, s.For(op)...) or endpoint.Chain.
func (s *Server) For(op string) []kitendpoint.Middleware {
	mws := make([]kitendpoint.Middleware, len(s.layers))
	for i, l := range s.layers {
		mws[i] = l.For(op)
	}
	return mws
}

// Layers returns the chain's layers in the order For applies them. The
// slice is a copy.
func (s *Server) Layers() []Layer { return append([]Layer(nil), s.layers...) }

// Errors returns the kinds of error the chain's own layers can answer
// with, for the operation's documentation: Internal (recovery),
// Unavailable (shed), TooManyRequests (ratelimit, which Update may turn on
// at any time) and DeadlineExceeded (timeout).
func (s *Server) Errors() []errs.Kind {
	var kinds []errs.Kind
	for _, l := range s.layers {
		switch l.Name {
		case "recovery":
			kinds = append(kinds, errs.KindInternal)
		case "shed":
			kinds = append(kinds, errs.KindUnavailable)
		case "ratelimit":
			kinds = append(kinds, errs.KindTooManyRequests)
		case "timeout":
			kinds = append(kinds, errs.KindDeadlineExceeded)
		}
	}
	return kinds
}

func newTracer(deps Deps, kind trace.SpanKind) *tracing.Tracer {
	opts := append([]tracing.Option{tracing.WithService(deps.Service), tracing.WithSpanKind(kind)}, deps.TracerOptions...)
	return tracing.New(deps.TracerProvider, opts...)
}

func newLogger(c LoggingConfig, deps Deps) *logging.Logger {
	opts := []logging.Option{
		logging.WithSlowThreshold(or(c.Slow, logging.DefaultSlow)),
		logging.WithSuccessSampling(c.SuccessSample),
	}
	if deps.LoggerAddsTraceIDs {
		opts = append(opts, logging.WithoutTraceID())
	}
	return logging.New(deps.Logger, opts...)
}
