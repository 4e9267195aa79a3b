package natskv_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gantrykit/gantry/discovery"
	"github.com/gantrykit/gantry/kit"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// embed starts an embedded nats-server the way kit expects.
func embed(dir string, port int) (string, func(), error) {
	if port == 0 {
		port = -1
	}
	srv, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: port, JetStream: true, StoreDir: dir, NoLog: true, NoSigs: true})
	if err != nil {
		return "", nil, err
	}
	srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		srv.Shutdown()
		return "", nil, errors.New("nats-server not ready")
	}
	return srv.ClientURL(), func() { srv.Shutdown(); srv.WaitForShutdown() }, nil
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// TestAppRegisterNATS: an App with a NATS connection registers itself in
// the KV registry once ready, another process sees it, and the record is
// gone when the App's drain hooks run (before its NATS connection closes).
func TestAppRegisterNATS(t *testing.T) {
	getenv := map[string]string{"GANTRY_NATS_PORT": "0", "GANTRY_DATA_DIR": t.TempDir()}
	a := kit.New("orders", kit.WithArgs([]string{
		"-http-addr=127.0.0.1:0", "-admin-addr=127.0.0.1:0", "-drain-delay=0s", "-shutdown-timeout=5s", "-instance=pod-1",
	}), kit.WithoutSignals(), kit.WithGetenv(func(k string) string { return getenv[k] }), kit.WithLogOutput(discard{}))
	n := a.NewNATS(embed)
	a.RegisterNATS(n, kit.Registration{Options: discovery.RegistrarOptions{TTL: 5 * time.Second}})

	var observer jetstream.KeyValue
	deregistered := make(chan error, 1)
	a.OnDrain("check", func(ctx context.Context) error { // runs after the discovery drain hook
		_, err := observer.Get(ctx, "orders.pod-1")
		deregistered <- err
		return nil
	})

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- a.Run(ctx) }()
	select {
	case <-a.Started():
	case err := <-errc:
		t.Fatalf("Run: got %v before starting", err)
	}

	nc, err := nats.Connect(n.Conn().ConnectedUrl())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	in, err := n.Instancer(ctx, "orders")
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
	if observer, err = js.KeyValue(ctx, "gantry_services"); err != nil {
		t.Fatal(err)
	}

	cancel()
	if err := <-errc; err != nil {
		t.Fatalf("Run: got %v, want nil", err)
	}
	if err := <-deregistered; !errors.Is(err, jetstream.ErrKeyNotFound) {
		t.Fatalf("registry entry during the drain: got %v, want jetstream.ErrKeyNotFound", err)
	}
}
