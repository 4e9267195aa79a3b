// Package retry retries failed client calls, carefully.
//
// A failed call is tried again only when all of these hold:
//
//   - its error kind is retryable (errs.Kind.Retryable: Unavailable,
//     DeadlineExceeded, TooManyRequests), or the test set with
//     [WithRetryable] says so;
//   - the operation is idempotent: named in [WithIdempotent], or the call's
//     context is marked with [MarkIdempotent] (a POST that creates an order
//     is never retried unless you mark it, e.g. because it carries an
//     idempotency key);
//   - fewer than the maximum attempts (default 3) were made;
//   - the backoff (exponential with full jitter: a uniform random wait in
//     [0, min(max, base·2^n)), defaults 50ms and 1s, or the server's
//     RetryAfter hint if longer) ends before the context's deadline;
//   - the server's RetryAfter hint, if any, is at most the backoff cap: an
//     open breaker or a shedding server asking for more is not waited for
//     inside the call, the caller sees its error and hint at once;
//   - the retry budget allows it: over a rolling 10s window, retries may
//     not exceed 20% of calls plus 10 per second, as in Finagle and Linkerd,
//     so that retries cannot multiply the load on a dependency that is
//     already failing. The budget is a retrybudget.Budget, which other
//     retry loops (discovery/lb.Retry, the gateway's upstreams) take too,
//     to bound their retries the same way or share one budget per service.
//
// When it gives up, the caller sees the last attempt's error unchanged. If
// the context ends during a backoff, the caller sees the last attempt's
// error too (not the context's), so the reason of the failure is kept.
//
// Metrics ([WithMetrics]): retry_attempts_total{service,method} counts
// retries made, retry_budget_exhausted_total{service,method} retries the
// budget refused.
package retry
