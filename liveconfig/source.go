package liveconfig

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Source is a store of configuration documents.
type Source interface {
	// Watch calls fn with the current value at key (nil when there is
	// none) and then with every change, in order, from the calling
	// goroutine, until ctx ends or the watch fails. It returns ctx's error
	// or the failure. It may repeat a value it already gave.
	Watch(ctx context.Context, key string, fn func(value []byte)) error
}

// DefaultBucket is the key-value bucket NATSKV reads when given none.
const DefaultBucket = "gantry_config"

// ErrWatchEnded is returned by a Source whose watch stopped delivering;
// Overlay.Run watches again.
var ErrWatchEnded = errors.New("config: watch ended")

// NATSKV returns a Source reading the keys of the JetStream key-value
// bucket (DefaultBucket if ""), created on first use if missing. A deleted
// or purged key reads as nil. After the connection comes back from a
// disconnect the watch starts again from the current value, so a change
// made meanwhile is not missed.
func NATSKV(js jetstream.JetStream, bucket string) Source {
	if bucket == "" {
		bucket = DefaultBucket
	}
	return natsSource{js, bucket}
}

type natsSource struct {
	js     jetstream.JetStream
	bucket string
}

func (s natsSource) Watch(ctx context.Context, key string, fn func([]byte)) error {
	nc := s.js.Conn()
	status := nc.StatusChanged(nats.CONNECTED, nats.DISCONNECTED, nats.RECONNECTING, nats.CLOSED)
	defer nc.RemoveStatusListener(status)
	for {
		if err := s.watch(ctx, key, fn, status); !errors.Is(err, errReconnected) {
			return err
		}
	}
}

var errReconnected = errors.New("config: reconnected")

// watch runs one watch until ctx ends, it fails, or the connection comes
// back (errReconnected).
func (s natsSource) watch(ctx context.Context, key string, fn func([]byte), status <-chan nats.Status) error {
	kv, err := s.js.KeyValue(ctx, s.bucket)
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		kv, err = s.js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: s.bucket, Description: "gantry configuration overlays"})
	}
	if err != nil {
		return fmt.Errorf("config: bucket %s: %w", s.bucket, err)
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w, err := kv.Watch(wctx, key)
	if err != nil {
		return fmt.Errorf("config: watch %s: %w", key, err)
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
				return ErrWatchEnded
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
