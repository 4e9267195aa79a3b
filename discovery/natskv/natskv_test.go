package natskv_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/gantrykit/gantry/discovery"
	"github.com/gantrykit/gantry/discovery/discoverytest"
	"github.com/gantrykit/gantry/discovery/natskv"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// natsServer is an embedded nats-server with JetStream that a test can
// restart on the same port and store directory.
type natsServer struct {
	t    *testing.T
	dir  string
	port int
	srv  *server.Server
}

func startNATS(t *testing.T) *natsServer {
	t.Helper()
	n := &natsServer{t: t, dir: t.TempDir(), port: -1}
	n.start()
	t.Cleanup(func() { n.srv.Shutdown(); n.srv.WaitForShutdown() })
	return n
}

func (n *natsServer) start() {
	n.t.Helper()
	srv, err := server.NewServer(&server.Options{
		Host: "127.0.0.1", Port: n.port, JetStream: true, StoreDir: n.dir, NoLog: true, NoSigs: true,
	})
	if err != nil {
		n.t.Fatalf("nats-server: %v", err)
	}
	srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		n.t.Fatalf("nats-server not ready in 10s")
	}
	n.srv, n.port = srv, srv.Addr().(*net.TCPAddr).Port
}

func (n *natsServer) restart() {
	n.srv.Shutdown()
	n.srv.WaitForShutdown()
	n.start()
}

// restartEmpty restarts the server with a new, empty store: the registry
// has lost every record and the bucket itself.
func (n *natsServer) restartEmpty() {
	n.srv.Shutdown()
	n.srv.WaitForShutdown()
	n.dir = n.t.TempDir()
	n.start()
}

func connect(t *testing.T, n *natsServer) jetstream.JetStream {
	t.Helper()
	nc, err := nats.Connect(n.srv.ClientURL(), nats.MaxReconnects(-1), nats.ReconnectWait(50*time.Millisecond))
	if err != nil {
		t.Fatalf("nats.Connect: %v", err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatalf("jetstream.New: %v", err)
	}
	return js
}

func TestConformance(t *testing.T) {
	t.Parallel()
	discoverytest.Run(t, func(t *testing.T) discoverytest.Backend {
		n := startNATS(t)
		reg, err := natskv.New(context.Background(), connect(t, n), natskv.Options{})
		if err != nil {
			t.Fatalf("natskv.New: got %v, want nil", err)
		}
		if !reg.PerKeyTTL() {
			t.Fatalf("PerKeyTTL on nats-server %s: got false, want true", server.VERSION)
		}
		// Instancers use their own connection, as clients in other
		// processes do.
		watchReg, err := natskv.New(context.Background(), connect(t, n), natskv.Options{})
		if err != nil {
			t.Fatalf("natskv.New: got %v, want nil", err)
		}
		return discoverytest.Backend{
			Store:        reg,
			NewInstancer: func(s string) (discovery.Instancer, error) { return watchReg.Instancer(s) },
			TTL:          time.Second,
			Expires:      true,
			Metadata:     true,
			Restart:      n.restart,
		}
	})
}

func TestConformanceRestartEmpty(t *testing.T) {
	t.Parallel()
	discoverytest.Run(t, func(t *testing.T) discoverytest.Backend {
		n := startNATS(t)
		reg, err := natskv.New(context.Background(), connect(t, n), natskv.Options{})
		if err != nil {
			t.Fatalf("natskv.New: got %v, want nil", err)
		}
		watchReg, err := natskv.New(context.Background(), connect(t, n), natskv.Options{})
		if err != nil {
			t.Fatalf("natskv.New: got %v, want nil", err)
		}
		return discoverytest.Backend{
			Store:        reg,
			NewInstancer: func(s string) (discovery.Instancer, error) { return watchReg.Instancer(s) },
			TTL:          time.Second,
			Expires:      true,
			Metadata:     true,
			Restart:      n.restartEmpty,
		}
	})
}

func TestConformanceFallback(t *testing.T) {
	t.Parallel()
	discoverytest.Run(t, func(t *testing.T) discoverytest.Backend {
		n := startNATS(t)
		reg, err := natskv.NewFallback(context.Background(), connect(t, n), "fallback", time.Second)
		if err != nil {
			t.Fatalf("NewFallback: got %v, want nil", err)
		}
		return discoverytest.Backend{
			Store:        reg,
			NewInstancer: func(s string) (discovery.Instancer, error) { return reg.Instancer(s) },
			TTL:          time.Second,
			Expires:      true,
			Metadata:     true,
			Restart:      n.restart,
		}
	})
}

func TestInstancerRejectsBadService(t *testing.T) {
	n := startNATS(t)
	reg, err := natskv.New(context.Background(), connect(t, n), natskv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Instancer("a.*"); err == nil {
		t.Fatalf("Instancer(%q): got nil error, want one", "a.*")
	}
}
