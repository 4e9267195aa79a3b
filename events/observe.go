package events

import (
	"context"
	"log/slog"

	"github.com/nats-io/nats.go"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"

	"github.com/gantrykit/gantry/telemetry"
)

// WithLogger makes a Subscriber log each event it handles: "event" at
// DEBUG when the handler succeeded; at WARN a handler's failure that will
// be delivered again (with its error), a dead-lettered event (with its
// reason) and a failed dead-letter publish (the event is retried). Each
// line has the event's subject, event_id, deliveries and, for handled
// events, code and duration, and is logged with the event's context, so it
// carries the trace_id and request_id of the request that caused the
// event. The default discards.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// messagingSystem is messaging.system for NATS JetStream (not one of the
// conventions' listed values, which allow others).
const messagingSystem = "nats"

// spanAttrs are the semantic conventions' (telemetry.SemconvVersion)
// messaging attributes of a send ("publish") or process span.
func spanAttrs(opType, opName, subject, id string, size int) []attribute.KeyValue {
	return []attribute.KeyValue{
		attribute.String("messaging.system", messagingSystem),
		attribute.String("messaging.operation.type", opType),
		attribute.String("messaging.operation.name", opName),
		attribute.String("messaging.destination.name", subject),
		attribute.String("messaging.message.id", id),
		attribute.Int("messaging.message.body.size", size),
	}
}

// inject writes ctx's trace context and request ID into h.
func inject(ctx context.Context, prop propagation.TextMapPropagator, h nats.Header) {
	prop.Inject(ctx, telemetry.HeaderCarrier(h))
	if id := telemetry.RequestID(ctx); id != "" {
		h[telemetry.HeaderRequestID] = []string{id}
	}
}

// extract returns a context with h's trace context and request ID (a new
// one when h has none), for handling one event.
func extract(prop propagation.TextMapPropagator, h nats.Header) context.Context {
	ctx := prop.Extract(context.Background(), telemetry.HeaderCarrier(h))
	id := ""
	if v := h[telemetry.HeaderRequestID]; len(v) == 1 {
		id = v[0]
	}
	return telemetry.WithRequestID(ctx, telemetry.IncomingRequestID(id))
}
