package events

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Event is one delivered event, as a Handler sees it.
type Event[T any] struct {
	ID       string // the publisher's event ID (Nats-Msg-Id)
	Type     string // Gantry-Event-Type
	Version  int    // Gantry-Event-Version, 0 when absent
	Subject  string
	Sequence uint64 // stream sequence
	Delivery int    // 1 for the first delivery, 2 for the first redelivery...
	Data     T
}

// Handler processes one event. Returning nil acknowledges it; an error
// naks it for another try after the back-off delay, unless the error is
// Permanent (or an errs.InvalidArgument) or the event has been delivered
// MaxDeliver times, in which case it goes to the dead-letter subject. A
// panic is recovered and treated as an error.
type Handler[T any] func(ctx context.Context, ev Event[T]) error

// Consumer declares a durable pull consumer and the policy for handling its
// events. Only Stream and Durable are required; the zero value of every
// other field is the default.
type Consumer struct {
	Stream  string // the stream to read
	Durable string // durable name; instances with the same name share the work
	// Subject filters the stream (default: all its subjects).
	Subject string
	// MaxDeliver is how many times an event is tried before it is
	// dead-lettered (default 5).
	MaxDeliver int
	// Backoff is the nak delay after the 1st, 2nd... failed delivery; the
	// last entry repeats (default 1s, 5s, 30s).
	Backoff []time.Duration
	// AckWait is how long the server waits for an answer before it
	// redelivers, e.g. after a crash (default 30s). Set it above the
	// slowest handler: an event still being handled after AckWait is
	// delivered again, to this or another instance.
	AckWait time.Duration
	// Concurrency bounds the handlers running at once (default 1). With 1,
	// events are handled in the order the stream delivers them.
	Concurrency int
	// Prefetch is how many events may wait in memory for a free handler
	// (default 16 per handler, 16*Concurrency; negative: the fewest, none
	// with Concurrency 1 and one otherwise: a pull per event). Pull
	// requests stay outstanding so that handlers do not wait a round trip
	// to the server, but never ask for more than this room, so an event
	// waits at most Prefetch/Concurrency handler times (16 with the
	// default) before its handler starts. Its AckWait runs meanwhile:
	// keep that well under AckWait, lowering Prefetch for slow handlers.
	// A larger Prefetch means fewer, larger pull requests.
	Prefetch int
	// DeadLetter is the subject failed events are published to (default
	// "dlq.STREAM.DURABLE", in a stream "STREAM_DLQ" that Start declares).
	// A custom subject must be captured by a stream you declare.
	DeadLetter string
	// FetchWait is how long one pull request waits at the server for
	// events (default 1s; nats.go takes no less than 1s). The server
	// sends heartbeats every half of it while a pull waits, so a pull lost
	// with its connection is noticed and renewed within about FetchWait.
	// Stop waits about that long for the last pull requests to end.
	FetchWait time.Duration
}

func (c Consumer) withDefaults() (Consumer, error) {
	if c.Stream == "" || c.Durable == "" {
		return c, errors.New("events: Consumer needs Stream and Durable")
	}
	if c.MaxDeliver <= 0 {
		c.MaxDeliver = 5
	}
	if len(c.Backoff) == 0 {
		c.Backoff = []time.Duration{time.Second, 5 * time.Second, 30 * time.Second}
	}
	if c.AckWait <= 0 {
		c.AckWait = 30 * time.Second
	}
	if c.Concurrency <= 0 {
		c.Concurrency = 1
	}
	if c.FetchWait <= 0 {
		c.FetchWait = time.Second
	}
	switch {
	case c.Prefetch == 0:
		c.Prefetch = 16 * c.Concurrency
	case c.Prefetch < 0:
		c.Prefetch = 0
	}
	return c, nil
}

func (c Consumer) backoff(delivery int) time.Duration {
	i := min(max(delivery-1, 0), len(c.Backoff)-1)
	return c.Backoff[i]
}

// Subscriber runs a Handler over a durable pull consumer. Start it once,
// Stop it once; it is safe for concurrent use.
type Subscriber[T any] struct {
	js  jetstream.JetStream
	cfg Consumer
	h   Handler[T]
	o   *options

	bound    *boundMetrics // set by Start; nil: no metrics
	lastSpan atomic.Pointer[spanName]

	mu       sync.Mutex
	stop     chan struct{}
	loopDone chan struct{}
	inflight sync.WaitGroup
}

// NewSubscriber returns a Subscriber that will hand the events of cfg to h.
func NewSubscriber[T any](js jetstream.JetStream, cfg Consumer, h Handler[T], opts ...Option) *Subscriber[T] {
	return &Subscriber[T]{js: js, cfg: cfg, h: h, o: newOptions(opts)}
}

// Start creates or updates the consumer (and the default dead-letter
// stream, with as many replicas as the stream) and starts consuming.
// Consuming runs until Stop, through reconnections and a deletion of the
// consumer (it resumes once the consumer is declared again); ctx bounds
// only the declarations. A declaration that fails in a way that may pass
// (no answer within 5 s, a server error while the cluster elects its
// leaders) is sent again until ctx ends; without a deadline on ctx, Start
// gives up after 30 s.
func (s *Subscriber[T]) Start(ctx context.Context) error {
	cfg, err := s.cfg.withDefaults()
	if err != nil {
		return err
	}
	if cfg.DeadLetter == "" {
		cfg.DeadLetter = "dlq." + cfg.Stream + "." + cfg.Durable
		// As many replicas as the stream: a dead letter is kept as safely
		// as the event was.
		stream, err := retryAPI(ctx, s.o.apiAttempt, func(ctx context.Context) (jetstream.Stream, error) {
			return s.js.Stream(ctx, cfg.Stream)
		})
		if err != nil {
			return fmt.Errorf("events: stream %s: %w", cfg.Stream, err)
		}
		if _, err := retryAPI(ctx, s.o.apiAttempt, func(ctx context.Context) (jetstream.Stream, error) {
			return s.js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
				Name: cfg.Stream + "_DLQ", Subjects: []string{"dlq." + cfg.Stream + ".>"},
				Replicas: stream.CachedInfo().Config.Replicas,
			})
		}); err != nil {
			return fmt.Errorf("events: declare dead-letter stream: %w", err)
		}
	}
	cons, err := retryAPI(ctx, s.o.apiAttempt, func(ctx context.Context) (jetstream.Consumer, error) {
		return s.js.CreateOrUpdateConsumer(ctx, cfg.Stream, jetstream.ConsumerConfig{
			Durable:       cfg.Durable,
			FilterSubject: cfg.Subject,
			AckPolicy:     jetstream.AckExplicitPolicy,
			AckWait:       cfg.AckWait,
			// The handler enforces MaxDeliver (dead-lettering on the last
			// try); the server's limit is a backstop for dead-letter
			// publish failures.
			MaxDeliver: cfg.MaxDeliver + 3,
			// Room for two instances' handlers and prefetched events.
			MaxAckPending: max(1000, 2*(cfg.Concurrency+cfg.Prefetch)),
		})
	})
	if err != nil {
		return fmt.Errorf("events: declare consumer %s on %s: %w", cfg.Durable, cfg.Stream, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stop != nil {
		return errors.New("events: Subscriber already started")
	}
	s.cfg = cfg
	if m := s.o.metrics; m != nil {
		s.bound = m.bind(cfg.Stream, cfg.Durable)
	}
	s.stop, s.loopDone = make(chan struct{}), make(chan struct{})
	go s.loop(cons)
	return nil
}

// Stop stops pulling, waits for the pull requests already at the server
// to end (up to FetchWait, at least 1s, after the next event arrives; 0.1s
// and one consumer info request when the consumer is idle: nothing waiting
// at the server, nothing unanswered), then hands every event received to
// the handlers and waits for them to finish and answer (ack, nak or
// dead-letter). If ctx ends first Stop returns ctx's error; the unanswered
// events are redelivered after AckWait. A drain not finished within
// FetchWait (at least 1s) plus 5s is cut short with a warning: no further
// event goes to a handler, and those not handled come again after AckWait
// (see the package doc, Shutdown). Drain or close the connection after
// Stop. Stop before Start is a no-op.
func (s *Subscriber[T]) Stop(ctx context.Context) error {
	s.mu.Lock()
	stop, loopDone := s.stop, s.loopDone
	s.mu.Unlock()
	if stop == nil {
		return nil
	}
	select {
	case <-stop:
	default:
		close(stop)
	}
	done := make(chan struct{})
	go func() {
		<-loopDone
		s.inflight.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
