package natskv_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/gantrykit/gantry/discovery"
	"github.com/gantrykit/gantry/discovery/natskv"
	"github.com/gantrykit/gantry/internal/natscluster"
)

// TestReplicatedRegistryAcrossLeaderKill: with Replicas 3 on a three-node
// cluster the registry's bucket is replicated, and killing its leader
// loses no registration: a watcher on another node still sees the old
// instance, and a new one registered after the kill appears.
func TestReplicatedRegistryAcrossLeaderKill(t *testing.T) {
	c := natscluster.Start(t, natscluster.Options{})
	connectTo := func(first int) jetstream.JetStream {
		nc, err := nats.Connect(c.URL(first)+","+c.URLs(), nats.DontRandomize(), nats.MaxReconnects(-1), nats.ReconnectWait(50*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(nc.Close)
		js, _ := jetstream.New(nc)
		return js
	}
	ctx := context.Background()
	reg, err := natskv.New(ctx, connectTo(0), natskv.Options{Replicas: 3})
	if err != nil {
		t.Fatal(err)
	}
	info := c.WaitStreamCurrent(t, "KV_"+natskv.DefaultBucket)
	if info.Config.Replicas != 3 {
		t.Fatalf("bucket stream has %d replicas, want 3", info.Config.Replicas)
	}
	watch, err := natskv.New(ctx, connectTo(1), natskv.Options{Replicas: 3})
	if err != nil {
		t.Fatal(err)
	}
	in, err := watch.Instancer("orders")
	if err != nil {
		t.Fatal(err)
	}
	defer in.Stop()

	put := func(id string) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			err := reg.Put(pctx, discovery.Instance{Service: "orders", ID: id, Address: "http://" + id}, time.Minute)
			cancel()
			if err == nil {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("put %s: %v", id, err) // a Registrar retries every heartbeat
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	put("a")
	waitIDs(t, in, "a")
	c.Kill(c.StreamLeader(t, "KV_"+natskv.DefaultBucket))
	put("b")
	waitIDs(t, in, "a", "b")
}

func waitIDs(t *testing.T, in discovery.Instancer, want ...string) {
	t.Helper()
	var got []string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		got = got[:0]
		for _, i := range in.Instances() {
			got = append(got, i.ID)
		}
		if slices.Equal(got, want) {
			return
		}
	}
	t.Fatalf("instances %v, want %v", got, want)
}
