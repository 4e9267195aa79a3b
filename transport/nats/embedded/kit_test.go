package embedded_test

import (
	"context"
	"io"
	"testing"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/gantrykit/gantry/events"
	"github.com/gantrykit/gantry/kit"
	"github.com/gantrykit/gantry/transport/nats/embedded"
)

type shipped struct{ Order int }

// run starts a on loopback ports and returns the function that stops it
// and returns Run's error.
func run(t *testing.T, a *kit.App) func() error {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- a.Run(ctx) }()
	select {
	case <-a.Started():
	case err := <-errc:
		cancel()
		t.Fatalf("Run: %v before starting", err)
	}
	return func() error { cancel(); return <-errc }
}

func newApp(env map[string]string) *kit.App {
	return kit.New("shipping", kit.WithArgs([]string{"-http-addr=127.0.0.1:0", "-admin-addr=127.0.0.1:0", "-drain-delay=0s"}),
		kit.WithoutSignals(), kit.WithLogOutput(io.Discard), kit.WithGetenv(func(k string) string { return env[k] }))
}

// With no GANTRY_NATS_URL the App runs an embedded JetStream server; a
// consumer wired with kit.Subscribe gets what the service publishes, and
// Run stops the consumer, the connection and the server.
func TestKitEmbeddedNATSAndEvents(t *testing.T) {
	a := newApp(map[string]string{"GANTRY_NATS_PORT": "0", "GANTRY_DATA_DIR": t.TempDir()})
	n := a.NewNATS(embedded.Starter)
	a.OnStart("stream", func(ctx context.Context) error {
		_, err := events.EnsureStream(ctx, n.JetStream(), jetstream.StreamConfig{Name: "SHIP", Subjects: []string{"ship.>"}})
		return err
	})
	got := make(chan events.Event[shipped], 1)
	kit.Subscribe(a, n, events.Consumer{Stream: "SHIP", Durable: "test"}, func(_ context.Context, ev events.Event[shipped]) error {
		got <- ev
		return nil
	})
	stop := run(t, a)
	if !n.Embedded() {
		t.Fatal("Embedded() = false with no GANTRY_NATS_URL, want true")
	}
	pub := events.NewPublisher[shipped](n.JetStream(), "ship.created")
	if _, err := pub.Publish(context.Background(), "s-1", shipped{Order: 7}); err != nil {
		t.Fatal(err)
	}
	if ev := <-got; ev.ID != "s-1" || ev.Data.Order != 7 {
		t.Fatalf("got %+v, want event s-1 for order 7", ev)
	}
	url := n.Conn().ConnectedUrl()
	if err := stop(); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	if !n.Conn().IsClosed() {
		t.Error("connection still open after Run")
	}
	// The embedded server is gone too: a second App can take its place.
	b := newApp(map[string]string{"GANTRY_NATS_URL": url})
	nb := b.NewNATS(nil)
	stopB := run(t, b)
	if nb.Conn().IsConnected() {
		t.Errorf("connected to %s after its App stopped, want the server gone", url)
	}
	if err := stopB(); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
}

func TestKitExternalNATS(t *testing.T) {
	srv, err := embedded.Start(embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	a := newApp(map[string]string{"GANTRY_NATS_URL": srv.URL()})
	n := a.NewNATS(embedded.Starter)
	stop := run(t, a)
	if n.Embedded() || n.Conn().ConnectedUrl() != srv.URL() {
		t.Errorf("embedded %v, connected to %q; want false, %q", n.Embedded(), n.Conn().ConnectedUrl(), srv.URL())
	}
	if err := stop(); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
}
