package natskit_test

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/goleak"

	"github.com/nats-io/nats.go"

	"github.com/gantrykit/gantry/events"
	"github.com/gantrykit/gantry/kit"
	"github.com/gantrykit/gantry/kit/kittest"
	"github.com/gantrykit/gantry/kit/natskit"
	"github.com/gantrykit/gantry/transport/nats/embedded"
)

func TestMain(m *testing.M) {
	// os/signal's loop goroutine is the runtime's, not the App's. nats.go's
	// drain goroutine outlives a Close that cut the drain short (see
	// TestStopClosesAHungDrain) by up to its 5s flush timeout, then ends.
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("os/signal.loop"),
		goleak.IgnoreAnyFunction("github.com/nats-io/nats%2ego.(*Conn).drainConnection"))
}

type shipped struct{ Order int }

// newApp builds an App on loopback ports with no signals and the given
// environment (extra flags after the base ones).
func newApp(env map[string]string, extra ...string) *kit.App {
	return kit.New("shipping", kit.WithArgs(kittest.Args(extra...)), kit.WithoutSignals(), kit.WithLogOutput(io.Discard),
		kit.WithGetenv(func(k string) string { return env[k] }))
}

// observer connects another client to n's server, closed when the test
// ends.
func observer(t *testing.T, n *natskit.NATS) jetstream.JetStream {
	t.Helper()
	nc, err := nats.Connect(n.Conn().ConnectedUrl())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

// With no GANTRY_NATS_URL the App runs an embedded JetStream server; a
// consumer wired with Subscribe gets what the service publishes, and Run
// stops the consumer, the connection and the server.
func TestEmbeddedNATSAndEvents(t *testing.T) {
	a := newApp(map[string]string{"GANTRY_NATS_PORT": "0", "GANTRY_DATA_DIR": t.TempDir()})
	n := natskit.New(a, embedded.Starter)
	a.OnStart("stream", func(ctx context.Context) error {
		_, err := events.EnsureStream(ctx, n.JetStream(), jetstream.StreamConfig{Name: "SHIP", Subjects: []string{"ship.>"}})
		return err
	})
	got := make(chan events.Event[shipped], 1)
	natskit.Subscribe(n, events.Consumer{Stream: "SHIP", Durable: "test"}, func(_ context.Context, ev events.Event[shipped]) error {
		got <- ev
		return nil
	})
	stop := kittest.Start(t, a)
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
	nb := natskit.New(b, nil)
	stopB := kittest.Start(t, b)
	if nb.Conn().IsConnected() {
		t.Errorf("connected to %s after its App stopped, want the server gone", url)
	}
	if err := stopB(); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
}

func TestExternalNATS(t *testing.T) {
	srv, err := embedded.Start(embedded.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()
	a := newApp(map[string]string{"GANTRY_NATS_URL": srv.URL()})
	n := natskit.New(a, embedded.Starter)
	stop := kittest.Start(t, a)
	if n.Embedded() || n.Conn().ConnectedUrl() != srv.URL() {
		t.Errorf("embedded %v, connected to %q; want false, %q", n.Embedded(), n.Conn().ConnectedUrl(), srv.URL())
	}
	if err := stop(); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
}

// With neither GANTRY_NATS_URL nor an embedded server, Run fails naming
// the variable.
func TestNoURLNoEmbeddedServer(t *testing.T) {
	a := newApp(nil)
	natskit.New(a, nil)
	if err := a.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "GANTRY_NATS_URL") {
		t.Fatalf("Run = %v, want an error naming GANTRY_NATS_URL", err)
	}
}
