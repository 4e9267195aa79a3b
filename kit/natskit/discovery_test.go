package natskit_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/gantrykit/gantry/discovery"
	"github.com/gantrykit/gantry/kit"
	"github.com/gantrykit/gantry/kit/kittest"
	"github.com/gantrykit/gantry/kit/natskit"
	"github.com/gantrykit/gantry/transport/nats/embedded"
)

// An App with a NATS connection registers itself in
// the KV registry once ready, another process sees it, and the record is
// gone when the App's drain hooks run (before its NATS connection closes).
func TestRegister(t *testing.T) {
	getenv := map[string]string{"GANTRY_NATS_PORT": "0", "GANTRY_DATA_DIR": t.TempDir()}
	a := newApp(getenv, "-instance=pod-1")
	n := natskit.New(a, embedded.Starter)
	n.Register(kit.Registration{Options: discovery.RegistrarOptions{TTL: 5 * time.Second}})

	var seenBy jetstream.KeyValue
	deregistered := make(chan error, 1)
	a.OnDrain("check", func(ctx context.Context) error { // runs after the discovery drain hook
		_, err := seenBy.Get(ctx, "shipping.pod-1")
		deregistered <- err
		return nil
	})

	stop := kittest.Start(t, a)
	ctx := t.Context()
	js := observer(t, n)
	in, err := n.Instancer(ctx, "shipping")
	if err != nil {
		t.Fatalf("NATS.Instancer: got %v, want nil", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(in.Instances()) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	got := in.Instances()
	in.Stop()
	if len(got) != 1 || got[0].ID != "pod-1" || got[0].Address != "http://"+a.HTTPAddr() {
		t.Fatalf("instances: got %+v, want pod-1 at http://%s", got, a.HTTPAddr())
	}
	if seenBy, err = js.KeyValue(ctx, "gantry_services"); err != nil {
		t.Fatal(err)
	}

	if err := stop(); err != nil {
		t.Fatalf("Run: got %v, want nil", err)
	}
	if err := <-deregistered; !errors.Is(err, jetstream.ErrKeyNotFound) {
		t.Fatalf("registry entry during the drain: got %v, want jetstream.ErrKeyNotFound", err)
	}
}
