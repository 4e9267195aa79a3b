package breaker

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	kitendpoint "github.com/go-kit/kit/endpoint"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/sony/gobreaker/v2"

	"github.com/gantrykit/gantry/errs"
)

// trip holds the thresholds that open a classic breaker; Breaker.SetTrip
// swaps them for every breaker at once.
type trip struct {
	minRequests uint32
	ratio       float64
	consecutive uint32
}

// classic is one operation's gobreaker. Its gobreaker is replaced, closed,
// when the open timeout changes (gobreaker's settings are fixed).
type classic struct {
	cfg    config
	op     string
	trip   *atomic.Pointer[trip]
	base   time.Time
	states [3]prometheus.Gauge
	cur    atomic.Pointer[generation]
}

// generation is one gobreaker of an operation and what depends on its
// open timeout.
type generation struct {
	cb       *gobreaker.CircuitBreaker[any]
	probeAt  atomic.Int64 // time.Since(base) when the open breaker goes half-open
	halfWait time.Duration
}

func newClassic(cfg config, op string, tr *atomic.Pointer[trip]) *classic {
	c := &classic{cfg: cfg, op: op, trip: tr, base: time.Now()}
	if cfg.state != nil {
		for s := gobreaker.StateClosed; s <= gobreaker.StateOpen; s++ {
			c.states[s] = cfg.state.WithLabelValues(cfg.service, op, stateName(s))
		}
		c.states[gobreaker.StateClosed].Set(1)
	}
	c.cur.Store(c.generation(cfg.openTimeout))
	return c
}

// generation makes a closed gobreaker with openTimeout.
func (c *classic) generation(openTimeout time.Duration) *generation {
	cfg := c.cfg
	g := &generation{halfWait: min(openTimeout, time.Second)}
	g.cb = gobreaker.NewCircuitBreaker[any](gobreaker.Settings{
		Name:         c.op,
		MaxRequests:  cfg.halfOpenRequests,
		Interval:     cfg.window,
		BucketPeriod: max(cfg.window/10, time.Millisecond),
		Timeout:      openTimeout,
		ReadyToTrip: func(n gobreaker.Counts) bool {
			t := c.trip.Load()
			if t.consecutive > 0 && n.ConsecutiveFailures >= t.consecutive {
				return true
			}
			return n.Requests >= t.minRequests && float64(n.TotalFailures) >= t.ratio*float64(n.Requests)
		},
		IsSuccessful: func(err error) bool { return err == nil || !cfg.isFailure(err) },
		// A caller that gave up or ran out of its own time says nothing
		// about the dependency's health.
		IsExcluded: func(err error) bool {
			_, gone := err.(callerDone)
			return gone || errs.KindOf(err) == errs.KindCanceled
		},
		// Called with the breaker's lock held: no calls back into it.
		OnStateChange: func(_ string, from, to gobreaker.State) {
			if to == gobreaker.StateOpen {
				g.probeAt.Store(int64(time.Since(c.base) + openTimeout))
			}
			if c.cur.Load() == g { // a replaced generation's calls no longer report
				c.changed(from, to, "")
			}
		},
	})
	return g
}

// changed reports a state change on the metrics and the log.
func (c *classic) changed(from, to gobreaker.State, why string) {
	cfg := c.cfg
	if cfg.state != nil {
		c.states[from].Set(0)
		c.states[to].Set(1)
		cfg.transitions.WithLabelValues(cfg.service, c.op, stateName(from), stateName(to)).Inc()
	}
	if cfg.logger != nil {
		level := slog.LevelInfo
		if to == gobreaker.StateOpen {
			level = slog.LevelWarn
		}
		attrs := []slog.Attr{slog.String("op", c.op), slog.String("from", stateName(from)), slog.String("to", stateName(to))}
		if why != "" {
			attrs = append(attrs, slog.String("reason", why))
		}
		cfg.logger.LogAttrs(context.Background(), level, "circuit breaker state changed", attrs...)
	}
}

// reset replaces the gobreaker with a closed one whose open timeout is d.
func (c *classic) reset(d time.Duration) {
	old := c.cur.Swap(c.generation(d))
	if from := old.cb.State(); from != gobreaker.StateClosed {
		c.changed(from, gobreaker.StateClosed, "open timeout changed")
	}
}

func stateName(s gobreaker.State) string {
	if s == gobreaker.StateHalfOpen {
		return "half_open"
	}
	return s.String()
}

// callerDone marks the error of a call that failed after its caller's own
// context ended, which no breaker counts.
type callerDone struct{ err error }

func (e callerDone) Error() string { return e.err.Error() }

// callerFailed marks err as callerDone when the caller's context ended
// while the call ran. The timeout layer below a breaker sets its deadline
// on a context of its own, so a call that outlives it still counts.
func callerFailed(ctx context.Context, err error) error {
	if err != nil && ctx.Err() != nil {
		return callerDone{err}
	}
	return err
}

func (c *classic) middleware(next kitendpoint.Endpoint) kitendpoint.Endpoint {
	return func(ctx context.Context, req any) (any, error) {
		g := c.cur.Load()
		resp, err := g.cb.Execute(func() (any, error) {
			resp, err := next(ctx, req)
			return resp, callerFailed(ctx, err)
		})
		if cd, ok := err.(callerDone); ok {
			return resp, cd.err
		}
		switch err {
		case gobreaker.ErrOpenState:
			wait := time.Duration(g.probeAt.Load()) - time.Since(c.base)
			return nil, unavailable(max(wait, time.Millisecond))
		case gobreaker.ErrTooManyRequests:
			return nil, unavailable(g.halfWait)
		}
		return resp, err
	}
}
