// Package ratelimit limits the call rate of each operation with a token
// bucket (golang.org/x/time/rate), optionally one bucket per key: a client
// IP, a JWT subject, a tenant, any string a [KeyFunc] takes from the
// context or the request.
//
// When a call finds its bucket empty, the endpoint is not run and the caller
// sees, at once, a *errs.Error of kind TooManyRequests whose RetryAfter is
// the time the bucket takes to gain a token (1/rate, an upper bound on the
// wait); HTTP transports turn it
// into 429 with a Retry-After header.
//
// [Limiter.SetRate] changes the rate and burst of every bucket while calls
// go through; a Limiter at an infinite rate lets calls through for one
// atomic load, so it can sit in a chain switched off until a rate is set.
//
// Keyed buckets use bounded memory: a key idle for longer than the idle
// time (default 10 minutes) is dropped, and when the number of keys reaches
// the maximum (default 10,000 per operation) an arbitrary key is evicted to
// make room, so a flood of new keys cannot grow memory without bound (an
// evicted key comes back with a full bucket).
//
// [ClientIP] with [HTTPClientIP] keys by the peer address of the HTTP
// connection. Behind a proxy, write a KeyFunc that reads the header your
// proxy sets and that you trust.
package ratelimit
