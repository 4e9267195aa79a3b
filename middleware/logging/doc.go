// Package logging logs calls with log/slog.
//
// What is logged, per call of an operation:
//
//	failed with a server fault (internal, unavailable, deadline...)  ERROR  "call failed"
//	failed with a caller fault (not_found, invalid_argument...)      WARN   "call failed"
//	succeeded but took at least the slow threshold (default 1s)      WARN   "slow call"
//	succeeded                                                        DEBUG  "call" (or INFO for a sampled fraction)
//
// Rejections by the guards below (Unavailable or TooManyRequests errors
// with a RetryAfter hint: shed load, open breakers, rate limits) are logged
// at most once per second per operation, with the number suppressed in
// between, so an overload does not become a log storm; the metrics
// middleware still counts every one.
//
// Each record carries op, code ("ok" or the errs kind), duration, the trace
// id when the context has a span, and the error. Successes at a disabled
// level cost one Enabled check and build no record, so logging does not
// dominate a chain's cost.
//
// This middleware never rejects a call: the caller sees exactly what the
// endpoint below returned.
package logging
