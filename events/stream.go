package events

import (
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// EnsureStream creates the stream cfg describes, or updates it to match, so
// that streams are declared in code at start rather than by hand. Zero
// fields get the defaults Gantry wants for events: file storage and a
// 2-minute duplicate window (the span within which a republished event ID
// is stored once).
func EnsureStream(ctx context.Context, js jetstream.JetStream, cfg jetstream.StreamConfig) (jetstream.Stream, error) {
	if cfg.Duplicates == 0 {
		cfg.Duplicates = 2 * time.Minute
	}
	s, err := js.CreateOrUpdateStream(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("events: declare stream %s: %w", cfg.Name, err)
	}
	return s, nil
}
