package etcd_test

import (
	"context"
	"testing"

	"time"

	"github.com/gantrykit/gantry/internal/fulltest"

	"github.com/gantrykit/gantry/discovery/etcd"
	"github.com/gantrykit/gantry/liveconfig/liveconfigtest"
)

func TestConfigSource(t *testing.T) {
	fulltest.Require(t, "watches live configuration on an etcd server")
	srv := startEtcd(t)
	cli := srv.newClient()
	defer cli.Close()
	// retry runs op until it succeeds: after a restart the first write may
	// find no leader yet.
	retry := func(t testing.TB, op func(ctx context.Context) error) {
		t.Helper()
		for i := 0; ; i++ {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			err := op(ctx)
			cancel()
			if err == nil {
				return
			}
			if i == 15 {
				t.Fatal(err)
			}
		}
	}
	liveconfigtest.Run(t, liveconfigtest.Store{
		Source: etcd.ConfigSource(cli, ""),
		Put: func(t testing.TB, key, doc string) {
			retry(t, func(ctx context.Context) error { _, err := cli.Put(ctx, etcd.DefaultConfigPrefix+key, doc); return err })
		},
		Delete: func(t testing.TB, key string) {
			retry(t, func(ctx context.Context) error { _, err := cli.Delete(ctx, etcd.DefaultConfigPrefix+key); return err })
		},
		Restart: func(testing.TB) { srv.restart() },
	})
}
