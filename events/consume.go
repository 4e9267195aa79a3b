package events

import (
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
// Stop it drains: no new pulls, and the events already received go through
// the handlers before the loop returns.
func (s *Subscriber[T]) loop(cons jetstream.Consumer) {
	defer close(s.loopDone)
	deliver := s.handle
	if s.cfg.Concurrency > 1 {
		work := make(chan jetstream.Msg) // unbuffered: an event waits in Consume's count
		for range s.cfg.Concurrency {
			s.inflight.Add(1)
			go func() {
				defer s.inflight.Done()
				for msg := range work {
					s.handle(msg)
				}
			}()
		}
		defer close(work)
		deliver = func(msg jetstream.Msg) { work <- msg }
	}
	for {
		if !s.js.Conn().IsClosed() {
			if cc, err := cons.Consume(deliver, s.pullOptions()...); err == nil {
				select {
				case <-s.stop:
					cc.Drain()
					<-cc.Closed()
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
