package logging

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"sync/atomic"
	"time"

	kitendpoint "github.com/go-kit/kit/endpoint"
	"go.opentelemetry.io/otel/trace"

	"github.com/gantrykit/gantry/errs"
)

// DefaultSlow is the default threshold above which a successful call is
// logged as slow.
const DefaultSlow = time.Second

// Logger makes logging middleware for named operations. It is safe for
// concurrent use.
type Logger struct {
	logger   *slog.Logger
	slow     time.Duration
	success  slog.Level
	sample   float64
	rejectIv time.Duration
	// noTraceID: the handler adds trace context itself (WithoutTraceID).
	noTraceID bool
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

// WithRejectionInterval sets how often rejections (Unavailable or
// TooManyRequests errors that carry a RetryAfter hint: shed load, open
// breakers, rate limits) are logged per operation; the others in between
// are counted in the next record's "suppressed" attribute. The default is
// one second; zero or negative logs every rejection. Rejections are always
// counted by the metrics middleware, so this keeps an overload from turning
// into a log storm.
func WithRejectionInterval(d time.Duration) Option { return func(l *Logger) { l.rejectIv = d } }

// WithoutTraceID leaves the trace_id attribute out of call records, for a
// logger whose handler adds trace context to every record itself (kit's
// does, with telemetry.NewHandler); without it the record would carry the
// key twice.
func WithoutTraceID() Option { return func(l *Logger) { l.noTraceID = true } }

// New returns a Logger writing to logger. A nil logger logs nothing.
func New(logger *slog.Logger, opts ...Option) *Logger {
	l := &Logger{logger: logger, slow: DefaultSlow, success: slog.LevelDebug, rejectIv: time.Second}
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
	rej := &rejections{}
	base := time.Now() // durations off the monotonic clock only, see metrics
	return func(next kitendpoint.Endpoint) kitendpoint.Endpoint {
		return func(ctx context.Context, req any) (any, error) {
			start := time.Since(base)
			resp, err := next(ctx, req)
			end := time.Since(base)
			d := end - start
			switch {
			case err != nil:
				kind := errs.KindOf(err)
				level := slog.LevelError
				if kind.CallerFault() {
					level = slog.LevelWarn
				}
				var suppressed int64
				if l.rejectIv > 0 && isRejection(kind, err) {
					var ok bool
					if suppressed, ok = rej.allow(end, l.rejectIv); !ok {
						break
					}
				}
				l.logErr(ctx, level, op, kind.String(), d, err, suppressed)
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

func (l *Logger) logErr(ctx context.Context, level slog.Level, op, code string, d time.Duration, err error, suppressed int64) {
	if !l.logger.Enabled(ctx, level) {
		return
	}
	attrs := l.attrs(ctx, op, code, d, err)
	if suppressed > 0 {
		attrs = append(attrs, slog.Int64("suppressed", suppressed))
	}
	l.logger.LogAttrs(ctx, level, "call failed", attrs...)
}

func (l *Logger) log(ctx context.Context, level slog.Level, msg, op, code string, d time.Duration, err error) {
	if !l.logger.Enabled(ctx, level) {
		return
	}
	l.logger.LogAttrs(ctx, level, msg, l.attrs(ctx, op, code, d, err)...)
}

func (l *Logger) attrs(ctx context.Context, op, code string, d time.Duration, err error) []slog.Attr {
	attrs := make([]slog.Attr, 0, 6)
	attrs = append(attrs, slog.String("op", op), slog.String("code", code), slog.Duration("duration", d))
	if sc := trace.SpanContextFromContext(ctx); !l.noTraceID && sc.HasTraceID() {
		attrs = append(attrs, slog.String("trace_id", sc.TraceID().String()))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	return attrs
}

// isRejection reports whether err is a fast rejection by an overload or
// rate guard rather than a failure of the work itself.
func isRejection(kind errs.Kind, err error) bool {
	if kind != errs.KindUnavailable && kind != errs.KindTooManyRequests {
		return false
	}
	if e, ok := err.(*errs.Error); ok { // the common case, without errors.As's allocation
		return e.RetryAfter > 0
	}
	return errs.RetryAfterOf(err) > 0
}

// rejections rate-limits the log records of one operation's rejections.
type rejections struct {
	next       atomic.Int64 // unix nanoseconds from which the next may be logged
	suppressed atomic.Int64
}

// allow reports whether a rejection at now (on the middleware's own
// monotonic clock) may be logged, and how many were suppressed since the
// last one logged.
func (r *rejections) allow(now, every time.Duration) (int64, bool) {
	n := int64(now)
	next := r.next.Load()
	if n < next || !r.next.CompareAndSwap(next, n+int64(every)) {
		r.suppressed.Add(1)
		return 0, false
	}
	return r.suppressed.Swap(0), true
}
