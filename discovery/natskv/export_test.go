package natskv

import (
	"context"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// NewFallback builds a Registry in the mode New picks on servers older than
// 2.11 (bucket TTL, client-side staleness), so tests can run it on a new
// server.
func NewFallback(ctx context.Context, js jetstream.JetStream, bucket string, ttl time.Duration) (*Registry, error) {
	kv, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: bucket, History: 1, TTL: ttl})
	if err != nil {
		return nil, err
	}
	r, err := New(ctx, js, Options{Bucket: bucket + "_unused"})
	if err != nil {
		return nil, err
	}
	r.kv, r.bucket, r.perKeyTTL, r.staleTTL = kv, bucket, false, ttl
	return r, nil
}
