package outbox

import (
	"context"
	"database/sql"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/gantrykit/gantry/examples/shop/internal/sqldb"
)

// messages records the message and level of every log line.
type messages struct {
	mu    sync.Mutex
	lines []string
}

func (h *messages) Enabled(context.Context, slog.Level) bool { return true }
func (h *messages) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *messages) WithGroup(string) slog.Handler            { return h }
func (h *messages) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.lines = append(h.lines, r.Level.String()+" "+r.Message)
	return nil
}

func (h *messages) count(prefix string) (n int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, l := range h.lines {
		if strings.HasPrefix(l, prefix) {
			n++
		}
	}
	return n
}

// column returns the row's value of an outbox column, "" for NULL.
func column(t *testing.T, db *sql.DB, id, col string) string {
	t.Helper()
	var v sql.NullString
	if err := db.QueryRow(`SELECT `+col+` FROM outbox WHERE id = ?`, id).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v.String
}

// TestRelayHoldsStaleAttempts: a row first tried more than RepublishWindow
// ago may be in the stream already, so the relay holds it (never published,
// never pruned, logged as an error) and goes on with the others; a row
// tried within the window is published again (the crash between publish
// and mark), and a new row gets its first attempt recorded.
func TestRelayHoldsStaleAttempts(t *testing.T) {
	db, js := setup(t)
	ctx := context.Background()
	if err := EnsureStreams(ctx, js); err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: time.Now().UTC().Truncate(time.Millisecond)}
	for _, row := range []struct {
		id      string
		tried   time.Duration // before the clock; 0: never tried
		subject string
	}{
		{"stale", RepublishWindow + time.Second, "orders.created"},
		{"retried", RepublishWindow - time.Minute, "orders.created"},
		{"new", 0, "orders.created"},
	} {
		add(t, db, row.id, row.subject)
		if row.tried > 0 {
			if err := MarkAttempted(ctx, db, row.id, clk.Now().Add(-row.tried)); err != nil {
				t.Fatal(err)
			}
		}
	}
	log := &messages{}
	r := &Relay{DB: db, JetStream: func() jetstream.JetStream { return js }, Interval: 10 * time.Millisecond,
		Now: clk.Now, Logger: slog.New(log)}
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- r.Run(rctx) }()
	waitPending(t, db, 0)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}

	if got := column(t, db, "stale", "held_at"); got != clk.Now().Format(sqldb.TimeFormat) {
		t.Errorf("stale row held_at %q, want the relay's clock %s", got, clk.Now().Format(sqldb.TimeFormat))
	}
	if got := column(t, db, "stale", "published_at"); got != "" {
		t.Errorf("stale row published_at %q, want it unpublished", got)
	}
	if n := log.count("ERROR outbox row held"); n != 1 {
		t.Errorf("%d error lines about the held row, want 1", n)
	}
	if got := column(t, db, "new", "attempted_at"); got != clk.Now().Format(sqldb.TimeFormat) {
		t.Errorf("new row attempted_at %q, want the relay's clock %s", got, clk.Now().Format(sqldb.TimeFormat))
	}
	s, err := js.Stream(ctx, "ORDERS")
	if err != nil {
		t.Fatal(err)
	}
	var stored []string
	for seq := uint64(1); ; seq++ {
		msg, err := s.GetMsg(ctx, seq)
		if err != nil {
			break
		}
		stored = append(stored, msg.Header.Get(jetstream.MsgIDHeader))
	}
	if strings.Join(stored, " ") != "retried new" {
		t.Errorf("stream ORDERS holds %q, want retried and new, not the held row", stored)
	}
	// Held rows are never pruned, however old the clock gets.
	if n, err := Prune(ctx, db, clk.Now().Add(1000*time.Hour), 100); err != nil || n != 2 {
		t.Errorf("Prune = %d, %v, want the 2 published rows", n, err)
	}
	if got := ids(t, db); strings.Join(got, " ") != "stale" {
		t.Errorf("outbox holds %q after pruning, want only the held row", got)
	}
}

// TestHoldMigration upgrades a database that has a pending and a
// published row: the pending one counts as tried when it was created (an
// older relay may have published it without a record), the published one
// is untouched, and Pending reads the recorded attempt.
func TestHoldMigration(t *testing.T) {
	for _, dir := range services {
		t.Run(service(dir), func(t *testing.T) {
			// The migrations before *_outbox_hold.sql: the later ones may
			// use its columns.
			full, old := migrationsBefore(t, dir, "_outbox_hold.sql")
			path := filepath.Join(t.TempDir(), "svc.db")
			db, err := sqldb.OpenMigrated(path, old, ".")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Exec(`INSERT INTO outbox (id, subject, payload, created_at, published_at) VALUES
				('pending', 'orders.created', '{}', '2026-01-02T03:04:05.678Z', NULL),
				('published', 'orders.created', '{}', '2026-01-02T03:04:05.678Z', '2026-01-02T03:04:06.000Z')`); err != nil {
				t.Fatal(err)
			}
			db.Close()
			if db, err = sqldb.OpenMigrated(path, full, "."); err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if got := column(t, db, "pending", "attempted_at"); got != "2026-01-02T03:04:05.678Z" {
				t.Errorf("pending row attempted_at %q, want its created_at", got)
			}
			if got := column(t, db, "published", "attempted_at"); got != "" {
				t.Errorf("published row attempted_at %q, want NULL", got)
			}
			rows, err := Pending(context.Background(), db, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 1 || rows[0].ID != "pending" || !rows[0].Attempted.Equal(time.Date(2026, 1, 2, 3, 4, 5, 678e6, time.UTC)) {
				t.Errorf("Pending = %+v, want the pending row, attempted at its creation", rows)
			}
		})
	}
}
