package kit

import (
	"context"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gantrykit/gantry/discovery/config"
)

// handled wraps a config Source so that the test learns when the App has
// handled a document.
type handled struct {
	config.Source
	docs chan []byte
}

func (h handled) Watch(ctx context.Context, key string, fn func([]byte)) error {
	return h.Source.Watch(ctx, key, func(doc []byte) { fn(doc); h.docs <- doc })
}

func (h handled) next(t *testing.T) {
	t.Helper()
	select {
	case <-h.docs:
	case <-time.After(20 * time.Second): // only keeps a broken watch from hanging
		t.Fatal("no overlay handled in 20s")
	}
}

func TestWatchConfig(t *testing.T) {
	logs := &syncBuffer{}
	a := newTestApp(t, logs, []string{"-log-level=info"})
	var mem config.Memory
	mem.Set("test-svc", []byte("gantry: {features: {beta: true}}"))
	src := handled{&mem, make(chan []byte, 8)}
	lc := a.WatchConfig(src, "")
	start(t, a)
	src.next(t)
	ctx := context.Background()
	if !lc.Features.Enabled("beta") || a.Logger().Enabled(ctx, slog.LevelDebug) {
		t.Fatalf("initial overlay: got beta %v, debug %v; want on and off", lc.Features.Enabled("beta"), a.Logger().Enabled(ctx, slog.LevelDebug))
	}

	mem.Set("test-svc", []byte("gantry: {log_level: debug, features: {beta: true}}"))
	src.next(t)
	if !a.Logger().Enabled(ctx, slog.LevelDebug) {
		t.Errorf("log_level debug: got debug records off, want on")
	}

	// A bad value is rejected and logged; nothing changes.
	mem.Set("test-svc", []byte("gantry: {log_level: chatty, features: {}}"))
	src.next(t)
	if !a.Logger().Enabled(ctx, slog.LevelDebug) || !lc.Features.Enabled("beta") {
		t.Errorf("after a bad overlay: got debug %v beta %v, want both kept on", a.Logger().Enabled(ctx, slog.LevelDebug), lc.Features.Enabled("beta"))
	}
	if !strings.Contains(logs.String(), "config overlay rejected") || !strings.Contains(logs.String(), "gantry.log_level") {
		t.Errorf("logs: want the rejection naming gantry.log_level, got:\n%s", logs.String())
	}

	// Static keys are reported, not applied; removing log_level reverts it.
	mem.Set("test-svc", []byte("gantry: {http_addr: ':1', drain_delay: 1m, middleware: {recovery: {disabled: true}}}"))
	src.next(t)
	st := lc.Status()
	want := []string{"gantry.drain_delay", "gantry.http_addr", "gantry.middleware.recovery.disabled"}
	if st.Rejected != nil || !reflect.DeepEqual(st.NeedsRestart, want) {
		t.Errorf("static change: got needs-restart %v (rejected %v), want %v", st.NeedsRestart, st.Rejected, want)
	}
	if a.Logger().Enabled(ctx, slog.LevelDebug) || lc.Features.Enabled("beta") {
		t.Errorf("keys removed: got debug %v beta %v, want both back off", a.Logger().Enabled(ctx, slog.LevelDebug), lc.Features.Enabled("beta"))
	}
	if !strings.Contains(logs.String(), "static settings need a restart") {
		t.Errorf("logs: want the restart warning, got:\n%s", logs.String())
	}
}

func TestWatchConfigGivenLogger(t *testing.T) {
	var mem config.Memory
	a := newTestApp(t, nil, nil, WithLogger(slog.New(slog.DiscardHandler)))
	lc := a.WatchConfig(&mem, "orders")
	if _, err := lc.Apply([]byte("gantry: {log_level: debug}")); err != nil {
		t.Fatal(err)
	}
	if st := lc.Status(); !reflect.DeepEqual(st.NeedsRestart, []string{"gantry.log_level"}) {
		t.Errorf("log_level with a logger from WithLogger: got needs-restart %v, want [gantry.log_level]", st.NeedsRestart)
	}
}
