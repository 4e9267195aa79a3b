package natskit_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/go-kit/kit/endpoint"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/gantrykit/gantry/discovery/natskv"
	"github.com/gantrykit/gantry/kit"
	"github.com/gantrykit/gantry/kit/kittest"
	"github.com/gantrykit/gantry/kit/natskit"
	"github.com/gantrykit/gantry/liveconfig/liveconfigtest"
	"github.com/gantrykit/gantry/transport/nats/embedded"
)

// watching starts an App (service "shipping") that follows the overlay in
// its NATS config bucket; it returns the App, its LiveConfig, the watched
// source and the bucket as another client sees it, once the first (empty)
// document has been handled.
func watching(t *testing.T) (*kit.App, *kit.LiveConfig, *liveconfigtest.Recorder, jetstream.KeyValue) {
	t.Helper()
	a := newApp(map[string]string{"GANTRY_NATS_PORT": "0", "GANTRY_DATA_DIR": t.TempDir()})
	n := natskit.New(a, embedded.Starter)
	src := liveconfigtest.Record(n.ConfigSource(""))
	lc := a.WatchConfig(src, "")
	kittest.Start(t, a)
	if doc := src.Next(t); doc != nil {
		t.Fatalf("initial overlay: got %q, want none", doc)
	}
	kv, err := observer(t, n).KeyValue(t.Context(), natskv.DefaultConfigBucket)
	if err != nil {
		t.Fatalf("config bucket: got %v, want it created by the App's watch", err)
	}
	return a, lc, src, kv
}

// An App with a NATS connection follows the overlay at its service's key in
// the config bucket, written by another client: the log level and a
// feature flag change while it runs.
func TestWatchConfig(t *testing.T) {
	a, lc, src, kv := watching(t)
	ctx := t.Context()
	if _, err := kv.PutString(ctx, "shipping", "gantry: {log_level: debug, features: {beta: true}}"); err != nil {
		t.Fatal(err)
	}
	src.Next(t)
	if !a.Logger().Enabled(ctx, slog.LevelDebug) || !lc.Features.Enabled("beta") {
		t.Errorf("after the overlay: got debug %v beta %v, want both on", a.Logger().Enabled(ctx, slog.LevelDebug), lc.Features.Enabled("beta"))
	}
}

// The rate limit of a running App's middleware follows the overlay in the
// NATS config bucket; a negative rate is rejected and the limit in force
// keeps applying to calls.
func TestWatchConfigRateLimit(t *testing.T) {
	a, lc, src, kv := watching(t)
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
	if got := calls(3); got != "+++" {
		t.Fatalf("no rate limit: got %s, want +++", got)
	}
	put := func(doc string) {
		t.Helper()
		if _, err := kv.PutString(t.Context(), "shipping", doc); err != nil {
			t.Fatal(err)
		}
		src.Next(t)
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
