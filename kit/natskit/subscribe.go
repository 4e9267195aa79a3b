package natskit

import (
	"context"

	"github.com/gantrykit/gantry/events"
	"github.com/gantrykit/gantry/kit"
)

// Subscribe runs an events consumer for the lifetime of n's App: it starts
// (declaring the durable consumer) after the NATS connection, traced with
// the App's tracer provider, and stops before the connection drains,
// letting its in-flight handlers finish; its outcomes are counted in the
// App's registry (a metric name another package holds there fails the
// start). Call it before Run.
func Subscribe[T any](n *NATS, cfg events.Consumer, h events.Handler[T], opts ...events.Option) {
	a := n.app
	var s *events.Subscriber[T]
	a.AddHook(kit.Hook{
		Name: "events " + cfg.Stream + "/" + cfg.Durable,
		Start: func(ctx context.Context) error {
			m, err := events.NewMetrics(a.Registry())
			if err != nil {
				return err
			}
			base := []events.Option{events.WithTracerProvider(a.TracerProvider()),
				events.WithPropagator(a.Propagator()), events.WithMetrics(m), events.WithLogger(a.Logger())}
			s = events.NewSubscriber(n.JetStream(), cfg, h, append(base, opts...)...)
			return s.Start(ctx)
		},
		Stop: func(ctx context.Context) error {
			if s == nil {
				return nil
			}
			return s.Stop(ctx)
		},
	})
}
