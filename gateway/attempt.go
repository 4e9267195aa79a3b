package gateway

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/gateway/internal/edge"
)

// proxy forwards r to an instance picked by the upstream's balancer,
// retrying on another pick while the request is idempotent (or carries an
// Idempotency-Key), the route allows it and the retry budget has tokens.
// After a failure the balancer's P2C cost for that instance carries a
// one-second penalty, so the retry goes elsewhere whenever another
// instance is up.
func (g *Gateway) proxy(ctx context.Context, w http.ResponseWriter, r *http.Request, a *attempt) {
	rt := a.rt
	up := rt.up
	up.budget.Request()
	retryable := rt.retries > 0 && idempotent(r)
	if retryable && r.Body != nil && r.Body != http.NoBody {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			a.problem(w, r, errs.InvalidArgument("body larger than %d bytes", rt.maxBody), http.StatusRequestEntityTooLarge)
			return
		}
		a.body = b
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	a.deadline = time.Now().Add(rt.timeout)
	a.timer = time.AfterFunc(rt.timeout, func() { a.timedOut.Store(true); cancel() })
	defer a.timer.Stop()
	a.inbound = r.Context()
	a.w, a.out = w, r.WithContext(context.WithValue(ctx, attemptKey{}, a))
	status, err := g.attempts(ctx, a, retryable)
	if a.err != nil {
		if berr := bodyError(r); berr != nil {
			// The request's body broke its framing: nothing after the
			// break went upstream, and the connection ends here.
			w.Header()["Connection"] = []string{"close"}
			status, err = edge.StatusOf(berr), errs.InvalidArgument("%s", strings.TrimPrefix(berr.Error(), "edge: "))
		}
	}
	switch {
	case err != nil:
		a.problem(w, r, err, status)
	case a.err != nil && a.wrote == 0 && a.status == 0 && a.clientGone():
		// Nobody to answer, and no answer started: send nothing rather
		// than net/http's empty 200.
		panic(http.ErrAbortHandler)
	}
}

// attempts runs a.rt's upstream attempts for either front end until one
// answers, the request cannot be retried, or nobody is left to answer. It
// returns the problem the gateway must answer with itself, if any: 413,
// 502, 503 (no instance, breakers open) or 504 (route timeout).
func (g *Gateway) attempts(ctx context.Context, a *attempt, retryable bool) (status int, err error) {
	rt := a.rt
	up := rt.up
	for skips := 0; ; {
		ep, err := up.bal.Endpoint()
		if err != nil && up.retired.Load() {
			// A reload replaced this upstream after the request matched:
			// continue on its successor.
			if next := g.table.Load().ups[up.name]; next != nil && next != up {
				up = next
				continue
			}
		}
		if err != nil {
			rt.m.attempt("no_instance")
			return 0, errs.Unavailable(time.Second, "no instance of %s", up.name)
		}
		a.breakerOpen = false
		a.canRetry, a.budget = retryable && a.attempts < rt.retries, up.budget
		_, _ = ep(ctx, a)
		if a.breakerOpen && skips+1 > 2*int(up.count.Load()) {
			// The balancer keeps picking instances whose breakers are open
			// (it ranks by latency, and they fail fast): go straight to
			// one whose breaker is closed, if any, rather than answer that
			// none is healthy. Only the balancer's statistics miss the call.
			if in := up.anyInstance(); in != nil {
				a.breakerOpen = false
				_ = g.exchange(ctx, a, in)
			}
		}
		if a.aborted != nil {
			panic(a.aborted) // http.ErrAbortHandler from a stream cut mid-body
		}
		if a.breakerOpen {
			if skips++; skips > 2*int(up.count.Load()) {
				rt.m.attempt("breaker_open")
				return 0, errs.Unavailable(up.openFor(), "no healthy instance of %s", up.name)
			}
			continue
		}
		switch {
		case a.err == nil || a.committed:
			return 0, nil // answered (or a stream cut after its head was sent)
		case a.timedOut.Load():
			return 0, errs.DeadlineExceeded("upstream %s did not answer within %s", up.name, rt.timeout)
		case a.clientGone():
			return 0, nil // nobody to answer
		}
		var mbe *http.MaxBytesError
		if errors.As(a.err, &mbe) {
			return http.StatusRequestEntityTooLarge, errs.InvalidArgument("body larger than %d bytes", rt.maxBody)
		}
		if a.canRetry && up.budget.Retry() {
			rt.m.retries.Inc()
			continue
		}
		if errors.Is(a.err, errAttemptTimeout) {
			return 0, errs.DeadlineExceeded("upstream %s did not answer within the attempt timeout %s", up.name, rt.attempt)
		}
		status := http.StatusBadGateway
		if a.retryErr {
			status = a.status
		}
		return status, errs.Wrap(errs.KindUnavailable, a.err, "upstream %s failed", up.name)
	}
}

// exchange is the endpoint the balancer calls for instance in: one proxied
// exchange, reported to the instance's breaker and, through the returned
// error, to the balancer's latency and ejection statistics.
func (g *Gateway) exchange(ctx context.Context, a *attempt, in *instance) (result error) {
	if a.lane != nil && in.url.Scheme != "http" {
		// Discovery added a TLS instance after the lane took the request:
		// skip it like an ejected one (rare; later requests go to net/http).
		a.breakerOpen = true
		return errBreakerOpen
	}
	done, err := in.cb.Allow()
	if err != nil { // open, or half-open with its probe in flight
		a.breakerOpen = true
		return errBreakerOpen
	}
	rt := a.rt
	a.inst, a.err, a.status, a.retryErr, a.overloaded = in, nil, 0, false, false
	a.attempts++
	if a.body != nil {
		a.out.Body, a.out.ContentLength = io.NopCloser(bytes.NewReader(a.body)), int64(len(a.body))
	}
	span, own := g.startAttempt(ctx, a, in)
	a.span = span
	if a.attempts > 1 || a.start.IsZero() {
		a.start = time.Now() // a first attempt may start at the request's start: one clock read less
	}
	defer func() {
		if p := recover(); p != nil {
			a.aborted = p // re-panicked by proxy, after the balancer's books are kept
			if a.err == nil {
				a.err = errAborted
			}
		}
		a.end = time.Now()
		rt.up.m.latency.Observe(a.end.Sub(a.start).Seconds())
		if a.err != nil && a.attemptTimedOut.Load() && !a.timedOut.Load() {
			a.err = errAttemptTimeout
		}
		var breakerErr error
		outcome := "ok"
		switch {
		case a.err == nil && a.status < 500:
		case a.err == nil && a.status < 502: // the application's own error
			outcome = "status_5xx"
		case a.err == nil || a.retryErr:
			outcome = "status_5xx"
			if !a.overloaded { // shedding is not breakage: see attempt.overloaded
				breakerErr = errRetryableStatus{a.status}
			}
			result = errs.Unavailable(0, "upstream answered %d", a.status)
		case a.timedOut.Load():
			outcome, breakerErr = "timeout", errTimeout
			result = errs.DeadlineExceeded("route timeout")
		case errors.Is(a.err, errAttemptTimeout):
			outcome, breakerErr = "timeout", errTimeout
			result = errs.DeadlineExceeded("attempt timeout")
		case a.clientGone():
			outcome, breakerErr = "canceled", errClientGone // says nothing about the instance
			result = errs.Canceled("client went away")
		default:
			outcome, breakerErr, result = "error", a.err, a.err
		}
		done(breakerErr)
		rt.m.attempt(outcome)
		if own {
			endAttempt(span, a.status, outcome, breakerErr)
		}
	}()
	switch {
	case a.lane != nil:
		a.lane.exchange(a, in)
	case rt.attempt > 0:
		// The attempt's own deadline, short of the route's: a context of
		// its own, cancelled by a timer that the answer's head stops.
		actx, cancel := context.WithCancel(a.out.Context())
		a.attemptTimedOut.Store(false)
		a.attemptTimer = time.AfterFunc(rt.attempt, func() { a.attemptTimedOut.Store(true); cancel() })
		rt.up.proxy.ServeHTTP(a.w, a.out.WithContext(actx))
		a.attemptTimer.Stop()
		cancel()
	default:
		rt.up.proxy.ServeHTTP(a.w, a.out)
	}
	return nil
}

var (
	errTimeout        = errors.New("route timeout")
	errAttemptTimeout = errors.New("attempt timeout")
	errClientGone     = errors.New("client went away")
	errBreakerOpen    = errors.New("instance breaker open")
	errAborted        = errors.New("stream aborted")
)
