package errs

import (
	"errors"
	"time"

	"github.com/afex/hystrix-go/hystrix"
	"github.com/go-kit/kit/ratelimit"
	"github.com/go-kit/kit/sd/lb"
	gobreakerv1 "github.com/sony/gobreaker"
	"github.com/sony/gobreaker/v2"
	handy "github.com/streadway/handy/breaker"
)

// SentinelRetryAfter is the RetryAfter hint given to the go-kit ecosystem's
// rate-limit and breaker errors, which say nothing of when to try again.
const SentinelRetryAfter = time.Second

// sentinels is the part of the table for errors that carry no kind of
// their own: the errors go-kit's middleware (ratelimit, circuitbreaker,
// sd/lb) and the breakers under it return. KindOf finds them with
// errors.Is, after any kind in the chain.
var sentinels = [...]struct {
	err        error
	kind       Kind
	retryAfter time.Duration
}{
	{ratelimit.ErrLimited, KindTooManyRequests, SentinelRetryAfter},
	{gobreakerv1.ErrOpenState, KindUnavailable, SentinelRetryAfter},
	{gobreakerv1.ErrTooManyRequests, KindUnavailable, SentinelRetryAfter},
	{gobreaker.ErrOpenState, KindUnavailable, SentinelRetryAfter},
	{gobreaker.ErrTooManyRequests, KindUnavailable, SentinelRetryAfter},
	{hystrix.ErrCircuitOpen, KindUnavailable, SentinelRetryAfter},
	{hystrix.ErrMaxConcurrency, KindUnavailable, SentinelRetryAfter},
	{hystrix.ErrTimeout, KindDeadlineExceeded, 0},
	{handy.ErrCircuitOpen, KindUnavailable, SentinelRetryAfter},
	{lb.ErrNoEndpoints, KindUnavailable, 0},
}

// sentinelKind returns the kind and retry hint of the first go-kit
// sentinel in err's chain. An lb.RetryError (every attempt of go-kit's
// retrying balancer failed) takes its final error's kind when that has one
// other than Internal, else Unavailable: the dependency could not give an
// answer.
func sentinelKind(err error) (Kind, time.Duration, bool) {
	for _, s := range sentinels {
		if errors.Is(err, s.err) {
			return s.kind, s.retryAfter, true
		}
	}
	var re lb.RetryError
	if errors.As(err, &re) {
		if re.Final != nil {
			if k := KindOf(re.Final); k != KindInternal {
				return k, retryAfterOf(re.Final), true
			}
		}
		return KindUnavailable, 0, true
	}
	return KindInternal, 0, false
}
