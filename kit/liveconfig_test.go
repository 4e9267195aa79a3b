package kit

import (
	"context"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	kitendpoint "github.com/go-kit/kit/endpoint"

	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/internal/logcheck"
	"github.com/gantrykit/gantry/liveconfig"
)

// handled wraps a config Source so that the test learns when the App has
// handled a document.
type handled struct {
	liveconfig.Source
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
	logs := &logcheck.Buffer{}
	a := newTestApp(t, logs, []string{"-log-level=info"})
	var mem liveconfig.Memory
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
	var mem liveconfig.Memory
	a := newTestApp(t, nil, nil, WithLogger(slog.New(slog.DiscardHandler)))
	lc := a.WatchConfig(&mem, "orders")
	if _, err := lc.Apply([]byte("gantry: {log_level: debug}")); err != nil {
		t.Fatal(err)
	}
	if st := lc.Status(); !reflect.DeepEqual(st.NeedsRestart, []string{"gantry.log_level"}) {
		t.Errorf("log_level with a logger from WithLogger: got needs-restart %v, want [gantry.log_level]", st.NeedsRestart)
	}
}

// calls runs e n times and reports which calls were allowed, e.g. "+-".
func calls(e kitendpoint.Endpoint, n int) string {
	var got strings.Builder
	for range n {
		if _, err := e(context.Background(), nil); err != nil {
			got.WriteString("-")
		} else {
			got.WriteString("+")
		}
	}
	return got.String()
}

// TestWatchConfigMiddleware changes the rate limit and breaker thresholds
// of running chains through overlays; a bad value is refused and the old
// limit kept; other middleware keys need a restart.
func TestWatchConfigMiddleware(t *testing.T) {
	a := newTestApp(t, nil, nil)
	var mem liveconfig.Memory
	lc := a.WatchConfig(&mem, "")
	// An overlay applied before any chain is built is not lost.
	if _, err := lc.Apply([]byte("gantry: {middleware: {rate_limit: {per_second: 0.01, burst: 2}}}")); err != nil {
		t.Fatal(err)
	}
	get := kitendpoint.Chain(a.Middleware("get")[0], a.Middleware("get")[1:]...)(func(context.Context, any) (any, error) { return "ok", nil })
	if got := calls(get, 3); got != "++-" {
		t.Errorf("0.01/s burst 2: got %s, want ++-", got)
	}
	st, err := lc.Apply([]byte("gantry: {middleware: {rate_limit: {per_second: -1}}}"))
	if err == nil || !strings.Contains(err.Error(), "gantry.middleware.rate_limit.per_second") || st.Rejected == nil {
		t.Errorf("negative rate: got %v, want a rejection naming the key", err)
	}
	if got := calls(get, 1); got != "-" {
		t.Errorf("after the rejection: got %s, want - (old limit kept)", got)
	}
	if _, err := lc.Apply(nil); err != nil { // no overlay: back to no limit
		t.Fatal(err)
	}
	if got := calls(get, 3); got != "+++" {
		t.Errorf("overlay removed: got %s, want +++", got)
	}

	// Client breaker: one failure in a row opens it.
	n := 0
	pay := kitendpoint.Chain(a.ClientMiddleware("pay")[0], a.ClientMiddleware("pay")[1:]...)(func(context.Context, any) (any, error) {
		n++
		return nil, errs.Unavailable(0, "down")
	})
	st, err = lc.Apply([]byte("gantry: {client: {breaker: {consecutive_failures: 1, open_timeout: 1h, window: 1m}, retry: {disabled: true}}}"))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"gantry.client.breaker.window", "gantry.client.retry.disabled"}; !reflect.DeepEqual(st.NeedsRestart, want) {
		t.Errorf("got needs-restart %v, want %v", st.NeedsRestart, want)
	}
	calls(pay, 1) // fails (not idempotent: no retry) and opens it
	if _, err := pay(context.Background(), nil); n != 1 || errs.RetryAfterOf(err) < 59*time.Minute {
		t.Errorf("got %d calls through and %v, want 1 and rejected for about 1h", n, err)
	}
}
