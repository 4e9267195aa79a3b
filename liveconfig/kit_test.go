package liveconfig_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/go-kit/kit/endpoint"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/gantrykit/gantry/kit"
	"github.com/gantrykit/gantry/liveconfig"
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
	kv, err := js.KeyValue(ctx, liveconfig.DefaultBucket)
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

// TestAppWatchConfigNATSRateLimit: the rate limit of a running App's
// middleware follows the overlay in the NATS config bucket; a negative
// rate is rejected and the limit in force keeps applying to calls.
func TestAppWatchConfigNATSRateLimit(t *testing.T) {
	getenv := map[string]string{"GANTRY_NATS_PORT": "0", "GANTRY_DATA_DIR": t.TempDir()}
	a := kit.New("orders", kit.WithArgs([]string{
		"-http-addr=127.0.0.1:0", "-admin-addr=127.0.0.1:0", "-drain-delay=0s", "-shutdown-timeout=5s",
	}), kit.WithoutSignals(), kit.WithGetenv(func(k string) string { return getenv[k] }), kit.WithLogOutput(discard{}))
	n := a.NewNATS(embed)
	src := seen{n.ConfigSource(""), make(chan []byte, 16)}
	lc := a.WatchConfig(src, "")
	mws := a.Middleware("get_order")
	get := endpoint.Chain(mws[0], mws[1:]...)(func(context.Context, any) (any, error) { return "ok", nil })
	calls := func(n int) string {
		var got []byte
		for range n {
			if _, err := get(context.Background(), nil); err != nil {
				got = append(got, '-')
			} else {
				got = append(got, '+')
			}
		}
		return string(got)
	}

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
	src.next(t) // no overlay yet
	if got := calls(3); got != "+++" {
		t.Fatalf("no rate limit: got %s, want +++", got)
	}

	nc, err := nats.Connect(n.Conn().ConnectedUrl())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	kv, err := js.KeyValue(ctx, liveconfig.DefaultBucket)
	if err != nil {
		t.Fatal(err)
	}
	put := func(doc string) {
		t.Helper()
		if _, err := kv.PutString(ctx, "orders", doc); err != nil {
			t.Fatal(err)
		}
		src.next(t)
	}
	put("gantry: {middleware: {rate_limit: {per_second: 0.01, burst: 2}}}")
	if got := calls(3); got != "++-" {
		t.Errorf("0.01/s burst 2: got %s, want ++-", got)
	}
	put("gantry: {middleware: {rate_limit: {per_second: -5, burst: 100}}}")
	if st := lc.Status(); st.Rejected == nil || !strings.Contains(st.Rejected.Error(), "rate_limit") {
		t.Errorf("negative rate: got rejection %v, want one naming the rate limit", st.Rejected)
	}
	if got := calls(1); got != "-" {
		t.Errorf("after the rejected overlay: got %s, want - (0.01/s kept)", got)
	}
	put("gantry: {}")
	if got := calls(3); got != "+++" {
		t.Errorf("rate limit removed: got %s, want +++", got)
	}
}
