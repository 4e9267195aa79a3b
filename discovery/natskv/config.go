package natskv

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/gantrykit/gantry/liveconfig"
)

// DefaultConfigBucket is the key-value bucket ConfigSource reads when given
// none.
const DefaultConfigBucket = "gantry_config"

// ConfigOptions configures ConfigSource. The zero value is the default.
type ConfigOptions struct {
	// Bucket is the key-value bucket (default DefaultConfigBucket).
	Bucket string
	// Replicas is the bucket's replica count: given to a bucket the watch
	// creates, and set on an existing bucket that has another. 0 leaves an
	// existing bucket as it is and creates one with 1.
	Replicas int
}

// ConfigSource returns a liveconfig.Source reading the keys of a JetStream
// key-value bucket, created on first use if missing: the
// zero-extra-infrastructure home of configuration overlays, beside the
// registry's bucket. A deleted or purged key reads as nil. After the
// connection comes back from a disconnect the watch starts again from the
// current value, so a change made meanwhile is not missed.
func ConfigSource(js jetstream.JetStream, o ConfigOptions) liveconfig.Source {
	if o.Bucket == "" {
		o.Bucket = DefaultConfigBucket
	}
	return configSource{js, o.Bucket, o.Replicas}
}

type configSource struct {
	js       jetstream.JetStream
	bucket   string
	replicas int
}

func (s configSource) Watch(ctx context.Context, key string, fn func([]byte)) error {
	nc := s.js.Conn()
	status := nc.StatusChanged(nats.CONNECTED, nats.DISCONNECTED, nats.RECONNECTING, nats.CLOSED)
	defer nc.RemoveStatusListener(status)
	for {
		if err := s.watch(ctx, key, fn, status); !errors.Is(err, errReconnected) {
			return err
		}
	}
}

var errReconnected = errors.New("natskv: config watch: reconnected")

// watch runs one watch until ctx ends, it fails, or the connection comes
// back (errReconnected).
func (s configSource) watch(ctx context.Context, key string, fn func([]byte), status <-chan nats.Status) error {
	kv, err := s.bucketKV(ctx)
	if err != nil {
		return fmt.Errorf("natskv: config bucket %s: %w", s.bucket, err)
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w, err := kv.Watch(wctx, key)
	if err != nil {
		return fmt.Errorf("natskv: config watch %s: %w", key, err)
	}
	defer func() { _ = w.Stop() }()
	initial := true
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case st := <-status:
			if st == nats.CONNECTED {
				return errReconnected
			}
		case e, ok := <-w.Updates():
			switch {
			case !ok:
				return liveconfig.ErrWatchEnded
			case e == nil: // the initial values are all delivered
				if initial {
					fn(nil) // the key holds nothing yet
				}
				initial = false
			case e.Operation() == jetstream.KeyValuePut:
				initial = false
				fn(e.Value())
			default: // delete or purge
				initial = false
				fn(nil)
			}
		}
	}
}

// bucketKV binds the bucket, creating it when missing and setting its
// replica count when it has another than asked for. Other settings of an
// existing bucket, which an operator may have chosen, are left alone.
func (s configSource) bucketKV(ctx context.Context) (jetstream.KeyValue, error) {
	kv, err := s.js.KeyValue(ctx, s.bucket)
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		return s.js.CreateKeyValue(ctx, jetstream.KeyValueConfig{
			Bucket: s.bucket, Description: "gantry configuration overlays", Replicas: s.replicas,
		})
	}
	if err != nil || s.replicas == 0 {
		return kv, err
	}
	stream, err := s.js.Stream(ctx, "KV_"+s.bucket)
	if err != nil {
		return nil, err
	}
	if cfg := stream.CachedInfo().Config; cfg.Replicas != s.replicas {
		cfg.Replicas = s.replicas
		if _, err := s.js.UpdateStream(ctx, cfg); err != nil {
			return nil, fmt.Errorf("set %d replicas: %w", s.replicas, err)
		}
	}
	return kv, nil
}
