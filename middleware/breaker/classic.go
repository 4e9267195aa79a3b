package breaker

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	kitendpoint "github.com/go-kit/kit/endpoint"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/sony/gobreaker/v2"

	"github.com/gantrykit/gantry/kit/errs"
)

// classic is one operation's gobreaker.
type classic struct {
	cb       *gobreaker.CircuitBreaker[any]
	base     time.Time
	probeAt  atomic.Int64 // time.Since(base) when an open breaker goes half-open
	isFail   func(error) bool
	halfWait time.Duration
}

func newClassic(cfg config, op string) *classic {
	c := &classic{isFail: cfg.isFailure, halfWait: min(cfg.openTimeout, time.Second), base: time.Now()}
	var states [3]prometheus.Gauge
	if cfg.state != nil {
		for s := gobreaker.StateClosed; s <= gobreaker.StateOpen; s++ {
			states[s] = cfg.state.WithLabelValues(cfg.service, op, stateName(s))
		}
		states[gobreaker.StateClosed].Set(1)
	}
	bucket := max(cfg.window/10, time.Millisecond)
	c.cb = gobreaker.NewCircuitBreaker[any](gobreaker.Settings{
		Name:         op,
		MaxRequests:  cfg.halfOpenRequests,
		Interval:     cfg.window,
		BucketPeriod: bucket,
		Timeout:      cfg.openTimeout,
		ReadyToTrip: func(n gobreaker.Counts) bool {
			if cfg.consecutive > 0 && n.ConsecutiveFailures >= cfg.consecutive {
				return true
			}
			return n.Requests >= cfg.minRequests && float64(n.TotalFailures) >= cfg.ratio*float64(n.Requests)
		},
		IsSuccessful: func(err error) bool { return err == nil || !cfg.isFailure(err) },
		// A caller that gave up says nothing about the dependency's health.
		IsExcluded: func(err error) bool { return errs.KindOf(err) == errs.KindCanceled },
		// Called with the breaker's lock held: no calls back into it.
		OnStateChange: func(_ string, from, to gobreaker.State) {
			if to == gobreaker.StateOpen {
				c.probeAt.Store(int64(time.Since(c.base) + cfg.openTimeout))
			}
			if cfg.state != nil {
				states[from].Set(0)
				states[to].Set(1)
				cfg.transitions.WithLabelValues(cfg.service, op, stateName(from), stateName(to)).Inc()
			}
			if cfg.logger != nil {
				level := slog.LevelInfo
				if to == gobreaker.StateOpen {
					level = slog.LevelWarn
				}
				cfg.logger.LogAttrs(context.Background(), level, "circuit breaker state changed",
					slog.String("op", op), slog.String("from", stateName(from)), slog.String("to", stateName(to)))
			}
		},
	})
	return c
}

func stateName(s gobreaker.State) string {
	if s == gobreaker.StateHalfOpen {
		return "half_open"
	}
	return s.String()
}

func (c *classic) middleware(next kitendpoint.Endpoint) kitendpoint.Endpoint {
	return func(ctx context.Context, req any) (any, error) {
		resp, err := c.cb.Execute(func() (any, error) { return next(ctx, req) })
		switch err {
		case gobreaker.ErrOpenState:
			wait := time.Duration(c.probeAt.Load()) - time.Since(c.base)
			return nil, unavailable(max(wait, time.Millisecond))
		case gobreaker.ErrTooManyRequests:
			return nil, unavailable(c.halfWait)
		}
		return resp, err
	}
}
