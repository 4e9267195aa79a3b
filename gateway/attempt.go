package gateway

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/gantrykit/gantry/kit/errs"
)

// proxy forwards r to an instance of the route's upstream, retrying on
// another instance while the request is idempotent (or carries an
// Idempotency-Key), the route allows it and the retry budget has tokens.
func (g *Gateway) proxy(ctx context.Context, w http.ResponseWriter, r *http.Request, a *attempt) {
	rt := a.rt
	up := rt.up
	up.budget.deposit()
	retryable := rt.retries > 0 && idempotent(r)
	var body []byte
	if retryable && r.Body != nil && r.Body != http.NoBody {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			a.problem(w, r, errs.InvalidArgument("body larger than %d bytes", rt.maxBody), http.StatusRequestEntityTooLarge)
			return
		}
		body = b
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	a.timer = time.AfterFunc(rt.timeout, func() { a.timedOut.Store(true); cancel() })
	defer a.timer.Stop()
	a.inbound = r.Context()
	r2 := r.WithContext(context.WithValue(ctx, attemptKey{}, a))

	var tried []*instance
	for {
		inst, anyOpen := up.pick(tried)
		if inst == nil {
			if a.attempts == 0 || anyOpen {
				ra := up.cfg.Breaker.Open
				if ra == 0 {
					ra = 5 * time.Second
				}
				rt.m.attempt("breaker_open")
				a.problem(w, r, errs.Unavailable(ra, "no healthy instance of %s", up.name), 0)
				return
			}
			a.problem(w, r, errs.Unavailable(0, "upstream %s failed", up.name), http.StatusBadGateway)
			return
		}
		done, err := inst.cb.Allow()
		if err != nil { // open or half-open and busy: eject for this request
			tried = append(tried, inst)
			continue
		}
		if body != nil {
			r2.Body, r2.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
		}
		a.inst, a.err, a.status, a.retryErr = inst, nil, 0, false
		a.canRetry = retryable && a.attempts < rt.retries && up.budget.milli.Load() >= 1000
		a.attempts++
		g.attemptOnce(ctx, w, r2, a, done)
		switch {
		case a.err == nil:
			return // answered (or streaming finished)
		case a.timedOut.Load():
			rt.m.attempt("timeout")
			a.problem(w, r, errs.DeadlineExceeded("upstream %s did not answer within %s", up.name, rt.timeout), 0)
			return
		case r.Context().Err() != nil:
			return // client gone: nobody to answer
		}
		var mbe *http.MaxBytesError
		if errors.As(a.err, &mbe) {
			a.problem(w, r, errs.InvalidArgument("body larger than %d bytes", rt.maxBody), http.StatusRequestEntityTooLarge)
			return
		}
		if a.canRetry && up.budget.withdraw() {
			rt.m.retries.Inc()
			tried = append(tried, inst)
			continue
		}
		status := http.StatusBadGateway
		if a.retryErr {
			status = a.status
		}
		a.problem(w, r, errs.Wrap(errs.KindUnavailable, a.err, "upstream %s failed", up.name), status)
		return
	}
}

// attemptOnce runs one upstream exchange and reports its outcome to the
// instance's breaker, even if the stream is aborted mid-body.
func (g *Gateway) attemptOnce(ctx context.Context, w http.ResponseWriter, r *http.Request, a *attempt, done func(error)) {
	inst, rt := a.inst, a.rt
	_, span := g.tracer.Start(ctx, "upstream "+rt.up.name, trace.WithSpanKind(trace.SpanKindClient))
	a.span = span
	inst.inflight.Add(1)
	a.start = time.Now()
	outcome := "error"
	defer func() {
		inst.inflight.Add(-1)
		rt.up.m.latency.Observe(time.Since(a.start).Seconds())
		var err error
		switch {
		case a.err == nil && a.status < 500:
			outcome = "ok"
		case a.err == nil:
			outcome = "status_5xx"
			if a.status >= 502 {
				err = errRetryableStatus{a.status}
			}
		case a.timedOut.Load():
			err, outcome = errTimeout, "timeout"
		case a.inbound.Err() != nil:
			err = errClientGone // says nothing about the instance
		case a.retryErr:
			err, outcome = a.err, "status_5xx"
		default:
			err = a.err
		}
		if err != nil && err != errClientGone {
			// A failure costs like a slow answer, so P2C steers away
			// from the instance until its estimate decays.
			inst.observe(failurePenalty, time.Now())
		}
		done(err)
		if outcome != "timeout" { // timeouts are counted by the caller
			rt.m.attempt(outcome)
		}
		if span.IsRecording() {
			span.SetAttributes(attribute.String("server.address", inst.url.Host), attribute.Int("http.response.status_code", a.status))
			if err != nil {
				span.SetStatus(codes.Error, err.Error())
			}
		}
		span.End()
	}()
	rt.up.proxy.ServeHTTP(w, r)
}

// failurePenalty is the latency sample an instance gets for a failure.
const failurePenalty = time.Second

var (
	errTimeout    = errors.New("route timeout")
	errClientGone = errors.New("client went away")
)
