package grpcclient

import (
	"log/slog"
	"time"

	kitendpoint "github.com/go-kit/kit/endpoint"
	"google.golang.org/grpc"

	"github.com/gantrykit/gantry/discovery/lb"
	"github.com/gantrykit/gantry/middleware/breaker"
	"github.com/gantrykit/gantry/retrybudget"
	grpct "github.com/gantrykit/gantry/transport/grpc"
)

// Option configures a connection.
type Option func(*config)

type config struct {
	transport  string
	lb         lb.Options
	breaker    bool
	trip       trip
	attempts   int
	budget     *retrybudget.Budget
	idempotent map[string]bool // full method names
	telemetry  []grpct.Option
	middleware func(fullMethod string) []kitendpoint.Middleware
	dial       []grpc.DialOption
	logger     *slog.Logger
}

// trip holds the thresholds of the breaker per instance.
type trip struct {
	minRequests, consecutive, halfOpen uint32
	ratio                              float64
	window, openTimeout                time.Duration
}

func newConfig(opts []Option) config {
	c := config{transport: "grpc", breaker: true, attempts: 3}
	for _, o := range opts {
		o(&c)
	}
	return c.withDefaults()
}

func (c config) withDefaults() config {
	if c.transport == "" {
		c.transport = "grpc"
	}
	if c.budget == nil {
		c.budget = retrybudget.New(retrybudget.DefaultRatio, retrybudget.DefaultPerSec)
	}
	if c.logger == nil {
		c.logger = slog.New(slog.DiscardHandler)
	}
	c.trip = trip{
		minRequests: breaker.DefaultMinRequests, ratio: breaker.DefaultFailureRatio,
		consecutive: breaker.DefaultConsecutiveFailures, halfOpen: breaker.DefaultHalfOpenRequests,
		window: breaker.DefaultWindow, openTimeout: breaker.DefaultOpenTimeout,
	}
	return c
}

// WithTransport sets which of an instance's Transports addresses to dial
// (default "grpc", the one kit.Registration.GRPC advertises). It applies
// to instancers that report full records (discovery.Instancer); with any
// other sd.Instancer the published addresses are dialled as they are.
func WithTransport(name string) Option { return func(c *config) { c.transport = name } }

// WithBalancerOptions tunes the peak-EWMA cost (lb.Options.Decay and
// FailurePenalty; the other fields do not apply: grpc-go manages
// connections and their back-off itself).
func WithBalancerOptions(o lb.Options) Option { return func(c *config) { c.lb = o } }

// WithBreaker turns the circuit breaker per instance on (the default) or
// off.
func WithBreaker(on bool) Option { return func(c *config) { c.breaker = on } }

// WithRetry sets the most attempts of an idempotent unary call, the first
// included (default 3; 1 turns retries off), and the budget retries draw on
// (nil: retrybudget.New(0.2, 10) of this connection alone). Share one
// budget among a service's clients to bound its retries as a whole.
func WithRetry(attempts int, budget *retrybudget.Budget) Option {
	return func(c *config) { c.attempts, c.budget = max(attempts, 1), budget }
}

// WithIdempotent declares methods (full names, such as
// pb.Catalog_GetProducts_FullMethodName) safe to call twice, so that
// their retryable failures are retried. Methods whose .proto options say
// idempotency_level = IDEMPOTENT or NO_SIDE_EFFECTS are idempotent
// without it.
func WithIdempotent(fullMethods ...string) Option {
	return func(c *config) {
		if c.idempotent == nil {
			c.idempotent = map[string]bool{}
		}
		for _, m := range fullMethods {
			c.idempotent[m] = true
		}
	}
}

// WithTelemetry traces and measures the connection's calls as
// transport/grpc's DialOptions do with opts (a span and
// grpc_client_handling_seconds per attempt).
func WithTelemetry(opts ...grpct.Option) Option {
	return func(c *config) { c.telemetry = append(c.telemetry, opts...) }
}

// WithMiddleware runs go-kit endpoint middleware around each unary call,
// outermost first, outside the retries (kit/grpckit passes the App's client
// chain: tracing, metrics, logging, breaker and timeout per operation).
// forMethod is called once per method; the middleware sees the call's
// error as an *errs.Error of the server's kind, and the caller gets it
// back as a gRPC status.
func WithMiddleware(forMethod func(fullMethod string) []kitendpoint.Middleware) Option {
	return func(c *config) { c.middleware = forMethod }
}

// WithDialOptions passes options to grpc.NewClient after the package's
// own: credentials (the default is plaintext), keepalive, message sizes,
// interceptors.
func WithDialOptions(opts ...grpc.DialOption) Option {
	return func(c *config) { c.dial = append(c.dial, opts...) }
}

// WithLogger receives discovery lookup failures (default: discarded).
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }
