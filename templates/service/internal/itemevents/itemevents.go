// Package itemevents announces created items on NATS JetStream and reacts
// to them: a publisher the items service calls after each create, and a
// durable consumer whose events, after MaxDeliver failed tries (or at once
// when the event is invalid), go to a dead-letter stream instead of being
// retried for ever.
package itemevents

import (
	"context"
	"errors"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/gantrykit/gantry/events"
	"github.com/gantrykit/gantry/kit"
	"github.com/gantrykit/gantry/kit/natskit"

	"github.com/gantrykit/gantry/templates/service/internal/items"
)

// Names of the stream, subject and consumer. The dead letters go to the
// subject dlq.SKELETON.skeleton-observer in the stream SKELETON_DLQ.
const (
	Stream  = "SKELETON"
	Subject = "skeleton.items.created"
	Durable = "skeleton-observer"
)

// Publisher announces created items; it implements items.Notifier. Its
// zero value is ready to be given to items.NewService; Start connects it.
type Publisher struct {
	pub *events.Publisher[items.Created]
}

// Start declares the stream (with replicas copies: see Declare) and
// readies the publisher on js. Call it once, before the first ItemCreated
// (in the service: a start hook).
func (p *Publisher) Start(ctx context.Context, js jetstream.JetStream, replicas int, opts ...events.Option) error {
	if err := Declare(ctx, js, replicas); err != nil {
		return err
	}
	p.pub = events.NewPublisher[items.Created](js, Subject, append(opts, events.WithType("item.created", 1))...)
	return nil
}

// ItemCreated publishes ev with the item ID as event ID, so a retried
// publish is stored once.
func (p *Publisher) ItemCreated(ctx context.Context, ev items.Created) error {
	if p.pub == nil {
		return errors.New("itemevents: publisher not started")
	}
	_, err := p.pub.Publish(ctx, ev.ID, ev)
	return err
}

// Declare creates or updates the stream that keeps the service's events,
// with replicas copies: 1 on one server, 3 on a cluster
// (GANTRY_NATS_REPLICAS), so that losing a node loses no event.
func Declare(ctx context.Context, js jetstream.JetStream, replicas int) error {
	_, err := events.EnsureStream(ctx, js, jetstream.StreamConfig{Name: Stream, Subjects: []string{"skeleton.items.>"}, Replicas: replicas})
	return err
}

// Consumer is the durable consumer's policy: five tries with back-off,
// then the dead-letter stream.
func Consumer() events.Consumer {
	return events.Consumer{
		Stream:     Stream,
		Durable:    Durable,
		Subject:    Subject,
		MaxDeliver: 5,
		Backoff:    []time.Duration{time.Second, 5 * time.Second, 30 * time.Second},
		AckWait:    30 * time.Second,
	}
}

// Handler hands each event to svc.Observe. An invalid event cannot be
// fixed by trying again: it is marked Permanent and dead-lettered at once.
// Any other error is retried after the back-off.
func Handler(svc *items.Service) events.Handler[items.Created] {
	return func(ctx context.Context, ev events.Event[items.Created]) error {
		err := svc.Observe(ctx, ev.Data)
		if errors.Is(err, items.ErrInvalid) {
			return events.Permanent(err)
		}
		return err
	}
}

// Wire runs both in app's lifecycle over its NATS connection n: the stream
// and publisher start after the connection, the consumer after them.
func Wire(app *kit.App, n *natskit.NATS, p *Publisher, svc *items.Service) {
	app.OnStart("itemevents", func(ctx context.Context) error {
		m, err := events.NewMetrics(app.Registry())
		if err != nil {
			return err
		}
		return p.Start(ctx, n.JetStream(), n.Replicas(), events.WithTracerProvider(app.TracerProvider()),
			events.WithPropagator(app.Propagator()), events.WithMetrics(m))
	})
	natskit.Subscribe(n, Consumer(), Handler(svc))
}
