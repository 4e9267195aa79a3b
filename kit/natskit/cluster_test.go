package natskit_test

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/gantrykit/gantry/discovery/natskv"
	"github.com/gantrykit/gantry/events"
	"github.com/gantrykit/gantry/internal/natscluster"
	"github.com/gantrykit/gantry/kit"
	"github.com/gantrykit/gantry/kit/kittest"
	"github.com/gantrykit/gantry/kit/natskit"
)

// TestReplicasOnCluster: an App given every node of a three-node cluster
// and GANTRY_NATS_REPLICAS=3 keeps three copies of its discovery and
// configuration buckets (the latter existing with one beforehand), of a
// stream it declares with n.Replicas() and of that stream's dead letters.
func TestReplicasOnCluster(t *testing.T) {
	c := natscluster.Start(t, natscluster.Options{})
	nc, err := nats.Connect(c.URLs())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	ctx := context.Background()
	if _, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: natskv.DefaultConfigBucket}); err != nil {
		t.Fatal(err)
	}

	a := newApp(map[string]string{"GANTRY_NATS_URL": c.URLs(), "GANTRY_NATS_REPLICAS": "3"})
	n := natskit.New(a, nil)
	a.OnStart("streams", func(ctx context.Context) error {
		_, err := events.EnsureStream(ctx, n.JetStream(), jetstream.StreamConfig{
			Name: "SHIPMENTS", Subjects: []string{"shipments.>"}, Replicas: n.Replicas(),
		})
		return err
	})
	natskit.Subscribe(n, events.Consumer{Stream: "SHIPMENTS", Durable: "audit"},
		func(context.Context, events.Event[struct{}]) error { return nil })
	n.Register(kit.Registration{})
	a.WatchConfig(n.ConfigSource(""), "")
	stop := kittest.Start(t, a)
	defer func() {
		if err := stop(); err != nil {
			t.Errorf("Run: %v", err)
		}
	}()

	for _, stream := range []string{"KV_" + natskv.DefaultBucket, "KV_" + natskv.DefaultConfigBucket, "SHIPMENTS", "SHIPMENTS_DLQ"} {
		var replicas int
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if s, err := js.Stream(ctx, stream); err == nil {
				if replicas = s.CachedInfo().Config.Replicas; replicas == 3 {
					break
				}
			}
		}
		if replicas != 3 {
			t.Errorf("stream %s has %d replicas, want 3", stream, replicas)
		}
	}
}
