package natskv_test

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/gantrykit/gantry/discovery/natskv"
	"github.com/gantrykit/gantry/liveconfig/liveconfigtest"
)

func TestConfigSource(t *testing.T) {
	srv := startNATS(t)
	js := connect(t, srv)
	// inBucket runs op on the config bucket until it succeeds: after a
	// restart JetStream may still be recovering its streams (that is not
	// what this test is about).
	inBucket := func(t testing.TB, op func(ctx context.Context, kv jetstream.KeyValue) error) {
		t.Helper()
		for i := 0; ; i++ {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			kv, err := js.KeyValue(ctx, natskv.DefaultConfigBucket)
			if err == nil {
				err = op(ctx, kv)
			}
			cancel()
			if err == nil {
				return
			}
			if i == 30 {
				t.Fatal(err)
			}
		}
	}
	liveconfigtest.Run(t, liveconfigtest.Store{
		Source: natskv.ConfigSource(js, natskv.ConfigOptions{}),
		Put: func(t testing.TB, key, doc string) {
			inBucket(t, func(ctx context.Context, kv jetstream.KeyValue) error {
				_, err := kv.PutString(ctx, key, doc)
				return err
			})
		},
		Delete: func(t testing.TB, key string) {
			inBucket(t, func(ctx context.Context, kv jetstream.KeyValue) error { return kv.Delete(ctx, key) })
		},
		Restart: func(testing.TB) { srv.restart() },
	})
}
