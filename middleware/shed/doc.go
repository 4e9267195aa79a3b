// Package shed protects a server from overload: an adaptive concurrency
// limit per operation, a hard max-in-flight bulkhead, and a short bounded
// queue in front of both.
//
// The adaptive limit follows the gradient algorithm of Netflix's
// concurrency-limits (Gradient2): it compares the recent average latency of
// a window of calls with a long-term average, and shrinks the number of
// calls allowed in flight when latency grows (queueing somewhere below),
// growing it again by a small headroom when latency is flat. Without any
// configuration, a fast operation settles at a limit well above its real
// concurrency; an overloaded one settles near the concurrency at which its
// latency stays within the tolerance (1.5× the long-term average).
//
// A call is admitted while the operation's calls in flight are below
// min(adaptive limit, max in flight). A call refused by the adaptive limit
// is rejected at once: the limit's headroom (sqrt(limit)) already is its
// queue, and under sustained overload a wait would only delay the answer.
// A call refused by the bulkhead waits in a short FIFO queue (default 16
// calls, at most 10ms) for a slot, to absorb bursts. When the adaptive
// limit refuses, the queue is full, the wait ends, or the caller's context
// is done, the caller sees a *errs.Error of kind Unavailable with
// RetryAfter set (default 1s), which HTTP transports turn into 503 with a
// Retry-After header; the endpoint is not run, and without a wait the
// rejection takes well under a microsecond.
package shed
