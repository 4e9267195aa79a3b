package events

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// loop consumes with jetstream's Consume, which keeps pull requests
// outstanding and renews them before they run out, so the handlers do not
// wait a round trip per batch. Consume counts an event as waiting from the
// pull that asks for it until its callback returns, and never has more than
// PullMaxMessages waiting; the callback returns when a handler has taken the
// event (with Concurrency 1 it is the handler), so at most Prefetch events
// wait in memory for a handler, as Consumer.Prefetch promises.
//
// Consume ends by itself when the connection closes or the consumer is
// deleted; the loop then starts it again every FetchWait/4 until Stop. On
// Stop it quiesces (see stopGate), then drains: the events already
// received go through the handlers before the loop returns.
func (s *Subscriber[T]) loop(cons jetstream.Consumer) {
	defer close(s.loopDone)
	deliver := s.handle
	if s.cfg.Concurrency > 1 {
		work := make(chan jetstream.Msg) // unbuffered: an event waits in Consume's count
		// quit, not close(work), ends the workers: after a drain cut short
		// by awaitDrained a callback may still be sending on work, and a
		// send on a closed channel would panic in the connection's goroutine.
		quit := make(chan struct{})
		for range s.cfg.Concurrency {
			s.inflight.Add(1)
			go func() {
				defer s.inflight.Done()
				for {
					select {
					case msg := <-work:
						s.handle(msg)
					case <-quit:
						return
					}
				}
			}()
		}
		defer close(quit)
		deliver = func(msg jetstream.Msg) {
			select {
			case work <- msg:
			case <-quit: // the drain was cut short: it comes again after AckWait
			}
		}
	}
	for {
		if !s.js.Conn().IsClosed() {
			g := newStopGate()
			if cc, err := cons.Consume(g.wrap(deliver), s.pullOptions()...); err == nil {
				select {
				case <-s.stop:
					expiry := max(s.cfg.FetchWait, time.Second)
					g.quiesce(expiry, func() bool { return idle(cons, expiry) })
					cc.Drain()
					close(g.open)
					s.awaitDrained(cc, g)
					return
				case <-cc.Closed():
				}
			}
		}
		select {
		case <-s.stop:
			return
		case <-time.After(s.cfg.FetchWait / 4):
		}
	}
}

// awaitDrained waits for cc, drained, to close: the events it had received
// have gone through the handlers. A drain that has not finished within the
// pull expiry plus the drain bound (5s) is cut short instead, with a
// warning: no further event goes to a handler, and the ones received and not
// handled are redelivered after AckWait (at-least-once, as always). Handlers
// already running go on; with Concurrency above 1, Stop still waits for
// them.
//
// Two things hold a drain: a handler slower than the bound, and a defect of
// nats.go v1.53.1 that the chaos test met. There, after Drain, Consume's
// callback goroutine asks for the next pull request on a channel of room one
// that only the goroutine Drain ended reads, so the second such request
// blocks that goroutine for good: the subscription never finishes draining,
// and neither does the connection's Drain. A reconnection (a NATS node
// killed) while events wait in memory is enough to bring it about
// (TestStopBoundsADrainNATSHolds).
func (s *Subscriber[T]) awaitDrained(cc jetstream.ConsumeContext, g *stopGate) {
	bound := time.NewTimer(max(s.cfg.FetchWait, time.Second) + s.o.drainBound)
	defer bound.Stop()
	select {
	case <-cc.Closed():
	case <-bound.C:
		g.abandoned.Store(true)
		cc.Stop()
		s.o.logger.Warn("events: consume did not finish draining; stopped it, its undelivered events come again after AckWait",
			"stream", s.cfg.Stream, "consumer", s.cfg.Durable)
	}
}

// pullOptions bound what Consume asks for: Prefetch events besides the one
// each handler holds (at least one), pull requests that wait FetchWait at
// the server (nats.go wants at least 1s) and heartbeats every half of it, so
// that a pull lost with a connection is noticed and renewed.
func (s *Subscriber[T]) pullOptions() []jetstream.PullConsumeOpt {
	waiting := max(s.cfg.Prefetch, 1)
	if s.cfg.Concurrency == 1 {
		waiting = s.cfg.Prefetch + 1 // the callback is the handler
	}
	expiry := max(s.cfg.FetchWait, time.Second)
	return []jetstream.PullConsumeOpt{
		jetstream.PullMaxMessages(waiting),
		jetstream.PullExpiry(expiry),
		jetstream.PullHeartbeat(min(expiry/2, 30*time.Second)),
	}
}

// stopGate lets Stop unsubscribe only once no pull request is left open at
// the server. Unsubscribing earlier would lose the events the server was
// sending at that instant: they would wait for AckWait. Consume issues pull
// requests only after a callback returns (and after status messages, which
// the same goroutine handles), so once Stop is asked, the first callback to
// hand an event over does not return: no request is issued any more, and
// those already issued end (filled or expired) within FetchWait. Events
// still arriving queue in the subscription meanwhile; the drain hands them
// over after the gate opens.
type stopGate struct {
	stopping  atomic.Bool
	abandoned atomic.Bool // the drain was cut short: hand nothing more over
	once      sync.Once
	held      chan struct{} // closed when a callback holds the subscription
	open      chan struct{} // closed to let callbacks return again
}

func newStopGate() *stopGate {
	return &stopGate{held: make(chan struct{}), open: make(chan struct{})}
}

func (g *stopGate) wrap(deliver func(jetstream.Msg)) func(jetstream.Msg) {
	return func(msg jetstream.Msg) {
		if g.abandoned.Load() {
			return
		}
		deliver(msg)
		if g.stopping.Load() {
			g.once.Do(func() { close(g.held) })
			<-g.open
		}
	}
}

// quietAfterStop is how long quiesce waits for an event before it asks
// whether the consumer is idle.
const quietAfterStop = 100 * time.Millisecond

// quiesce asks callbacks to hold the subscription and, once one does, waits
// for the pull requests issued before to end (expiry plus a margin). If no
// callback holds within quietAfterStop, it asks idle: when nothing waits at
// the server and nothing is in flight, no event is on its way and it
// returns. Otherwise (a callback starved on a loaded machine, handlers
// still busy, or no answer) it waits on for a hold, and in any case no
// longer than the pull requests issued before Stop take to end.
func (g *stopGate) quiesce(expiry time.Duration, idle func() bool) {
	g.stopping.Store(true)
	pullsEnd := expiry + expiry/4 // a pull request's life, with a margin
	select {
	case <-g.held:
	case <-time.After(quietAfterStop):
		if idle() {
			return
		}
		select {
		case <-g.held:
		case <-time.After(pullsEnd):
			return // every pull issued before Stop has ended
		}
	}
	// Held: no pull goes out any more; wait for those issued before.
	time.Sleep(pullsEnd)
}

// idle reports whether cons has nothing waiting at the server and nothing
// delivered and unanswered, asking within timeout; false when it cannot
// tell.
func idle(cons jetstream.Consumer, timeout time.Duration) bool {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	info, err := cons.Info(ctx)
	return err == nil && info.NumPending == 0 && info.NumAckPending == 0
}
