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
//
// A request that fails in a way that may pass (no answer within 5 s, a
// server error while the cluster elects its leaders) is sent again until
// ctx ends; without a deadline on ctx, EnsureStream gives up after 30 s.
func EnsureStream(ctx context.Context, js jetstream.JetStream, cfg jetstream.StreamConfig) (jetstream.Stream, error) {
	if cfg.Duplicates == 0 {
		cfg.Duplicates = 2 * time.Minute
	}
	s, err := retryAPI(ctx, apiAttempt, func(ctx context.Context) (jetstream.Stream, error) {
		return js.CreateOrUpdateStream(ctx, cfg)
	})
	if err != nil {
		return nil, fmt.Errorf("events: declare stream %s: %w", cfg.Name, err)
	}
	return s, nil
}
