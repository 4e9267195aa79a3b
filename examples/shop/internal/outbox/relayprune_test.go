package outbox

import (
	"context"

	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// clock is a Relay.Now the test moves.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

// pruneLog records the rows of each "outbox pruned" line.
type pruneLog struct {
	mu      sync.Mutex
	batches []int
}

func (h *pruneLog) Enabled(context.Context, slog.Level) bool { return true }
func (h *pruneLog) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *pruneLog) WithGroup(string) slog.Handler            { return h }
func (h *pruneLog) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "outbox pruned" {
		return nil
	}
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "rows" {
			h.mu.Lock()
			h.batches = append(h.batches, int(a.Value.Int64()))
			h.mu.Unlock()
		}
		return true
	})
	return nil
}

func (h *pruneLog) get() []int { h.mu.Lock(); defer h.mu.Unlock(); return slices.Clone(h.batches) }

// eventually waits until cond holds, failing with what() after 10 s.
func eventually(t *testing.T, cond func() bool, what func() string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal(what())
		}
	}
}

// TestRelayPrunes runs a relay on a clock the test moves: rows published
// more than the retention ago are deleted by the relay's own loop in
// batches of at most PruneBatch; a row published within the retention and
// an old row that never published stay; Run ends cleanly with its context.
func TestRelayPrunes(t *testing.T) {
	t.Parallel()
	db, js := setup(t)
	if err := EnsureStreams(context.Background(), js); err != nil {
		t.Fatal(err)
	}
	s, _ := js.Stream(context.Background(), "ORDERS")
	if info, _ := s.Info(context.Background()); info.Config.Duplicates != DuplicateWindow {
		t.Errorf("stream duplicate window %v, want %v", info.Config.Duplicates, DuplicateWindow)
	}
	clk := &clock{t: time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)}
	log := &pruneLog{}
	r := &Relay{DB: db, JetStream: func() jetstream.JetStream { return js }, Interval: 10 * time.Millisecond,
		PruneBatch: 2, Now: clk.Now, Logger: slog.New(log)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run = %v, want nil after its context ended", err)
		}
	}()

	old := []string{"old-1", "old-2", "old-3", "old-4", "old-5"}
	for _, id := range old {
		add(t, db, id, "orders.created")
	}
	r.Notify()
	waitPending(t, db, 0) // published at t0
	clk.Add(23 * time.Hour)
	add(t, db, "recent", "orders.created")
	r.Notify()
	waitPending(t, db, 0)                  // published at t0+23h
	add(t, db, "stuck", "nowhere.created") // no stream: it never publishes
	r.Notify()
	waitPending(t, db, 1)
	if got := ids(t, db); len(got) != 7 {
		t.Fatalf("outbox holds %q before the retention passed, want all 7 rows", got)
	}

	clk.Add(time.Hour + time.Second) // t0+24h+1s: only the first five are past 24h
	r.Notify()
	want := []string{"recent", "stuck"}
	eventually(t, func() bool { return slices.Equal(ids(t, db), want) && sum(log.get()) == len(old) },
		func() string { return "outbox holds " + join(ids(t, db)) + ", want recent and stuck" })
	for _, n := range log.get() {
		if n < 1 || n > r.PruneBatch {
			t.Errorf("prune batches %v, want each between 1 and %d rows", log.get(), r.PruneBatch)
			break
		}
	}
	if got := ids(t, db); !slices.Equal(got, want) {
		t.Errorf("outbox holds %q, want %q", got, want)
	}
}

func sum(ns []int) (s int) {
	for _, n := range ns {
		s += n
	}
	return s
}

func join(ss []string) string { return "[" + strings.Join(ss, " ") + "]" }
