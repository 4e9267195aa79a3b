package logging

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"time"

	kitendpoint "github.com/go-kit/kit/endpoint"
	"go.opentelemetry.io/otel/trace"

	"github.com/gantrykit/gantry/kit/errs"
)

// DefaultSlow is the default threshold above which a successful call is
// logged as slow.
const DefaultSlow = time.Second

// Logger makes logging middleware for named operations. It is safe for
// concurrent use.
type Logger struct {
	logger  *slog.Logger
	slow    time.Duration
	success slog.Level
	sample  float64
}

// Option configures a Logger.
type Option func(*Logger)

// WithSlowThreshold sets the duration from which a successful call is
// logged at WARN; zero or negative turns slow-call logging off.
func WithSlowThreshold(d time.Duration) Option { return func(l *Logger) { l.slow = d } }

// WithSuccessLevel sets the level of successful calls; the default is
// slog.LevelDebug.
func WithSuccessLevel(level slog.Level) Option { return func(l *Logger) { l.success = level } }

// WithSuccessSampling logs a fraction (0 to 1) of successful calls at INFO
// even when the success level is disabled; the default is 0.
func WithSuccessSampling(fraction float64) Option {
	return func(l *Logger) { l.sample = min(max(fraction, 0), 1) }
}

// New returns a Logger writing to logger. A nil logger logs nothing.
func New(logger *slog.Logger, opts ...Option) *Logger {
	l := &Logger{logger: logger, slow: DefaultSlow, success: slog.LevelDebug}
	for _, o := range opts {
		o(l)
	}
	return l
}

// For returns middleware that logs the calls of op.
func (l *Logger) For(op string) kitendpoint.Middleware {
	if l.logger == nil {
		return func(next kitendpoint.Endpoint) kitendpoint.Endpoint { return next }
	}
	return func(next kitendpoint.Endpoint) kitendpoint.Endpoint {
		return func(ctx context.Context, req any) (any, error) {
			start := time.Now()
			resp, err := next(ctx, req)
			d := time.Since(start)
			switch {
			case err != nil:
				kind := errs.KindOf(err)
				level := slog.LevelError
				if kind.CallerFault() {
					level = slog.LevelWarn
				}
				l.log(ctx, level, "call failed", op, kind.String(), d, err)
			case l.slow > 0 && d >= l.slow:
				l.log(ctx, slog.LevelWarn, "slow call", op, "ok", d, nil)
			case l.logger.Enabled(ctx, l.success):
				l.log(ctx, l.success, "call", op, "ok", d, nil)
			case l.sample > 0 && rand.Float64() < l.sample:
				l.log(ctx, slog.LevelInfo, "call", op, "ok", d, nil)
			}
			return resp, err
		}
	}
}

func (l *Logger) log(ctx context.Context, level slog.Level, msg, op, code string, d time.Duration, err error) {
	if !l.logger.Enabled(ctx, level) {
		return
	}
	attrs := make([]slog.Attr, 0, 5)
	attrs = append(attrs, slog.String("op", op), slog.String("code", code), slog.Duration("duration", d))
	if sc := trace.SpanContextFromContext(ctx); sc.HasTraceID() {
		attrs = append(attrs, slog.String("trace_id", sc.TraceID().String()))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	l.logger.LogAttrs(ctx, level, msg, attrs...)
}
