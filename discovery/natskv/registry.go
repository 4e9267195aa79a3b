package natskv

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/gantrykit/gantry/discovery"
	"github.com/nats-io/nats.go/jetstream"
)

// DefaultBucket is the bucket name used when Options.Bucket is empty.
const DefaultBucket = "gantry_services"

// Options configures New. The zero value is the default.
type Options struct {
	// Bucket is the key-value bucket (default DefaultBucket).
	Bucket string
	// Replicas is the bucket's replication factor in a cluster (default 1).
	Replicas int
	// LimitMarkerTTL is how long the server keeps the marker of an expired
	// key (default 1 minute); watchers that reconnect within it still see
	// the expiry.
	LimitMarkerTTL time.Duration
	// FallbackTTL is the bucket-wide TTL used only on servers older than
	// 2.11 (default discovery.DefaultTTL).
	FallbackTTL time.Duration
	// Logger receives undecodable entries and watch restarts (default: discard).
	Logger *slog.Logger
}

// Registry is a discovery.Store on a JetStream key-value bucket, and makes
// Instancers that watch it. It is safe for concurrent use and owns no
// goroutine; each Instancer owns one.
type Registry struct {
	js        jetstream.JetStream
	kv        jetstream.KeyValue
	cfg       jetstream.KeyValueConfig
	bucket    string
	perKeyTTL bool
	staleTTL  time.Duration
	log       *slog.Logger
	lost      atomic.Bool // a Put failed: make sure the bucket exists before the next
}

// New creates the bucket if needed (or updates its configuration) and binds
// to it. It reports whether the server keeps per-key TTLs through
// PerKeyTTL on the result.
func New(ctx context.Context, js jetstream.JetStream, opts Options) (*Registry, error) {
	if opts.Bucket == "" {
		opts.Bucket = DefaultBucket
	}
	if opts.LimitMarkerTTL <= 0 {
		opts.LimitMarkerTTL = time.Minute
	}
	if opts.FallbackTTL <= 0 {
		opts.FallbackTTL = discovery.DefaultTTL
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg := jetstream.KeyValueConfig{
		Bucket:         opts.Bucket,
		Description:    "Gantry service registry",
		History:        1,
		Replicas:       opts.Replicas,
		LimitMarkerTTL: opts.LimitMarkerTTL,
	}
	r := &Registry{js: js, bucket: opts.Bucket, log: log, perKeyTTL: true}
	kv, err := js.CreateOrUpdateKeyValue(ctx, cfg)
	if errors.Is(err, jetstream.ErrLimitMarkerTTLNotSupported) {
		log.Warn("nats-server older than 2.11: no per-key TTL, falling back to a bucket TTL and client-side staleness",
			"bucket", opts.Bucket, "ttl", opts.FallbackTTL)
		cfg.LimitMarkerTTL, cfg.TTL = 0, opts.FallbackTTL
		r.perKeyTTL, r.staleTTL = false, opts.FallbackTTL
		kv, err = js.CreateOrUpdateKeyValue(ctx, cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("natskv: bucket %s: %w", opts.Bucket, err)
	}
	r.kv, r.cfg = kv, cfg
	return r, nil
}

// PerKeyTTL reports whether the server expires keys itself (nats-server ≥
// 2.11); false means the client-side staleness fallback is in use.
func (r *Registry) PerKeyTTL() bool { return r.perKeyTTL }

func key(service, id string) string { return service + "." + id }

// Put implements discovery.Store. The TTL is rounded up to whole seconds.
// In fallback mode the bucket's TTL applies instead. After a failed Put the
// next one first creates the bucket if it is missing, so registrations come
// back even when the server restarted without its JetStream state.
func (r *Registry) Put(ctx context.Context, inst discovery.Instance, ttl time.Duration) error {
	data, err := discovery.Marshal(inst)
	if err != nil {
		return err
	}
	if r.lost.Load() {
		// The server may have come back without its JetStream state (a new
		// store, memory storage): create the bucket again.
		if _, err := r.js.CreateOrUpdateKeyValue(ctx, r.cfg); err != nil {
			return fmt.Errorf("natskv: bucket %s: %w", r.bucket, err)
		}
		r.lost.Store(false)
	}
	subject := "$KV." + r.bucket + "." + key(inst.Service, inst.ID)
	var opts []jetstream.PublishOpt
	if r.perKeyTTL && ttl > 0 {
		opts = append(opts, jetstream.WithMsgTTL(wholeSeconds(ttl)))
	}
	if _, err := r.js.Publish(ctx, subject, data, opts...); err != nil {
		r.lost.Store(true)
		return fmt.Errorf("natskv: put %s: %w", key(inst.Service, inst.ID), err)
	}
	return nil
}

// wholeSeconds rounds ttl up to whole seconds, at least one.
func wholeSeconds(ttl time.Duration) time.Duration {
	return max(time.Second, (ttl+time.Second-1)/time.Second*time.Second)
}

// Delete implements discovery.Store: it leaves a delete marker that every
// watcher sees. Deleting an absent key is not an error.
func (r *Registry) Delete(ctx context.Context, inst discovery.Instance) error {
	if err := r.kv.Delete(ctx, key(inst.Service, inst.ID)); err != nil {
		return fmt.Errorf("natskv: delete %s: %w", key(inst.Service, inst.ID), err)
	}
	return nil
}
