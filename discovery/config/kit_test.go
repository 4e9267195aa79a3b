package config_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/gantrykit/gantry/discovery/config"
	"github.com/gantrykit/gantry/kit"
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

// TestAppWatchConfigNATS: an App with a NATS connection follows the
// overlay at its service's key in the config bucket, written by another
// client: the log level and a feature flag change while it runs.
func TestAppWatchConfigNATS(t *testing.T) {
	getenv := map[string]string{"GANTRY_NATS_PORT": "0", "GANTRY_DATA_DIR": t.TempDir()}
	a := kit.New("orders", kit.WithArgs([]string{
		"-http-addr=127.0.0.1:0", "-admin-addr=127.0.0.1:0", "-drain-delay=0s", "-shutdown-timeout=5s",
	}), kit.WithoutSignals(), kit.WithGetenv(func(k string) string { return getenv[k] }), kit.WithLogOutput(discard{}))
	n := a.NewNATS(embed)
	src := seen{n.ConfigSource(""), make(chan []byte, 16)}
	lc := a.WatchConfig(src, "")

	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- a.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("Run: got %v, want nil", err)
		}
	}()
	select {
	case <-a.Started():
	case err := <-errc:
		t.Fatalf("Run: got %v before starting", err)
	}
	if doc := src.next(t); doc != nil {
		t.Fatalf("initial overlay: got %q, want none", doc)
	}

	nc, err := nats.Connect(n.Conn().ConnectedUrl())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	kv, err := js.KeyValue(ctx, config.DefaultBucket)
	if err != nil {
		t.Fatalf("config bucket: got %v, want it created by the App's watch", err)
	}
	if _, err := kv.PutString(ctx, "orders", "gantry: {log_level: debug, features: {beta: true}}"); err != nil {
		t.Fatal(err)
	}
	src.next(t)
	if !a.Logger().Enabled(ctx, slog.LevelDebug) || !lc.Features.Enabled("beta") {
		t.Errorf("after the overlay: got debug %v beta %v, want both on", a.Logger().Enabled(ctx, slog.LevelDebug), lc.Features.Enabled("beta"))
	}
}
