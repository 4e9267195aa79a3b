package middleware

import "time"

// Config switches and tunes the default server chain. Its zero value is the
// production default: every concern on except rate limiting and timeouts,
// which need numbers only the service knows. It has no breaker section: a
// server chain has no breaker (see the package doc). Fields follow the kit
// config convention (yaml keys, help text).
type Config struct {
	Recovery  RecoveryConfig  `yaml:"recovery"`
	Tracing   TracingConfig   `yaml:"tracing"`
	Metrics   MetricsConfig   `yaml:"metrics"`
	Logging   LoggingConfig   `yaml:"logging"`
	Shed      ShedConfig      `yaml:"shed"`
	RateLimit RateLimitConfig `yaml:"rate_limit"`
	Timeout   TimeoutConfig   `yaml:"timeout"`
}

// ClientConfig switches and tunes the default client chain; its zero value
// is the production default (retries only for operations listed as
// idempotent or calls marked with retry.MarkIdempotent).
type ClientConfig struct {
	Tracing ClientTracingConfig `yaml:"tracing"`
	Metrics MetricsConfig       `yaml:"metrics"`
	Logging LoggingConfig       `yaml:"logging"`
	Retry   RetryConfig         `yaml:"retry"`
	Breaker BreakerConfig       `yaml:"breaker"`
	Timeout TimeoutConfig       `yaml:"timeout"`
}

// RecoveryConfig configures panic recovery.
type RecoveryConfig struct {
	Disabled bool `yaml:"disabled" help:"do not turn panics into Internal errors"`
}

// TracingConfig configures the OpenTelemetry span per operation, and the
// root sampling of the App that runs the chain.
type TracingConfig struct {
	Disabled bool `yaml:"disabled" help:"start no spans"`
	// RootSampleRatio, when set, is the ratio of the App's root sampler:
	// its TracerProvider samples parent-based, and this fraction of the
	// traces that start in the App. Set, it overrides OTEL_TRACES_SAMPLER;
	// unset, that variable decides, else 0 (see package kit).
	RootSampleRatio Ratio `yaml:"root_sample_ratio" help:"fraction (0-1) of requests without incoming trace context that start a sampled trace; overrides OTEL_TRACES_SAMPLER (default: OTEL_TRACES_SAMPLER, else 0)"`
}

// ClientTracingConfig configures the OpenTelemetry span per client call.
// Client calls follow the App's sampler like every span.
type ClientTracingConfig struct {
	Disabled bool `yaml:"disabled" help:"start no spans"`
}

// MetricsConfig configures Prometheus RED metrics.
type MetricsConfig struct {
	Disabled bool `yaml:"disabled" help:"record no RED metrics"`
}

// LoggingConfig configures call logging.
type LoggingConfig struct {
	Disabled      bool          `yaml:"disabled" help:"log no calls"`
	Slow          time.Duration `yaml:"slow" help:"successful calls at least this long are logged at WARN (0: 1s, negative: off)"`
	SuccessSample float64       `yaml:"success_sample" help:"fraction (0-1) of successful calls logged at INFO; all are logged at DEBUG when the logger is at debug level"`
}

// ShedConfig configures load shedding.
type ShedConfig struct {
	Disabled     bool          `yaml:"disabled" help:"shed no load"`
	MaxInFlight  int           `yaml:"max_in_flight" help:"hard limit of calls in flight per operation (0: 1000)"`
	FixedLimit   bool          `yaml:"fixed_limit" help:"turn the adaptive concurrency limit off; only max_in_flight applies"`
	InitialLimit int           `yaml:"initial_limit" help:"starting adaptive limit (0: 20)"`
	MinLimit     int           `yaml:"min_limit" help:"lowest adaptive limit (0: 1; raise it where latency is noisy, or a busy machine's jitter sheds calls the service could take)"`
	Queue        int           `yaml:"queue" help:"calls that may wait for a slot of max_in_flight (0: 16, negative: none); calls over the adaptive limit never wait"`
	QueueWait    time.Duration `yaml:"queue_wait" help:"longest wait for a slot (0: 10ms)"`
	RetryAfter   time.Duration `yaml:"retry_after" help:"Retry-After hint of shed calls (0: 1s)"`
}

// RateLimitConfig configures a token bucket per operation, shared by every
// caller: it bounds the load an operation takes, not one caller's share
// (per-caller limits belong at the edge, where callers are known).
type RateLimitConfig struct {
	PerSecond float64 `yaml:"per_second" help:"calls per second allowed per operation (0: no limit)"`
	Burst     int     `yaml:"burst" help:"bucket size (0: per_second rounded up)"`
}

// BreakerConfig configures the client chain's circuit breaker per remote
// operation.
type BreakerConfig struct {
	Disabled            bool          `yaml:"disabled" help:"break no circuits"`
	Adaptive            bool          `yaml:"adaptive" help:"use SRE adaptive throttling instead of the classic breaker"`
	K                   float64       `yaml:"k" help:"adaptive throttling multiplier (0: 2)"`
	Window              time.Duration `yaml:"window" help:"rolling window of counted calls (0: 10s)"`
	MinRequests         int           `yaml:"min_requests" help:"calls in the window before the failure ratio applies (0: 20)"`
	FailureRatio        float64       `yaml:"failure_ratio" help:"failure ratio that opens the breaker (0: 0.5)"`
	ConsecutiveFailures int           `yaml:"consecutive_failures" help:"failures in a row that open the breaker (0: 5, negative: off)"`
	OpenTimeout         time.Duration `yaml:"open_timeout" help:"how long an open breaker rejects before probing (0: 10s)"`
	HalfOpenRequests    int           `yaml:"half_open_requests" help:"probe calls while half-open (0: 5)"`
}

// TimeoutConfig configures the deadline per operation.
type TimeoutConfig struct {
	Timeout time.Duration `yaml:"timeout" help:"deadline per call, composed with the caller's (0: none)"`
}

// RetryConfig configures client retries.
type RetryConfig struct {
	Disabled        bool          `yaml:"disabled" help:"never retry"`
	MaxAttempts     int           `yaml:"max_attempts" help:"attempts including the first (0: 3)"`
	BaseDelay       time.Duration `yaml:"base_delay" help:"first backoff ceiling, doubled per retry, full jitter (0: 50ms)"`
	MaxDelay        time.Duration `yaml:"max_delay" help:"backoff ceiling (0: 1s)"`
	BudgetRatio     float64       `yaml:"budget_ratio" help:"retries allowed as a fraction of calls over 10s (0: 0.2)"`
	BudgetPerSecond float64       `yaml:"budget_per_second" help:"retries per second allowed on top of the ratio (0: 10)"`
	Idempotent      []string      `yaml:"idempotent" help:"operations safe to retry"`
}

// or returns v, or def when v is zero.
func or[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}
