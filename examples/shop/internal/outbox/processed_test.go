package outbox

import (
	"context"
	"database/sql"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/gantrykit/gantry/events"
	"github.com/gantrykit/gantry/examples/shop/internal/sqldb"
)

// processed inserts a processed_events row recorded at at.
func processed(t *testing.T, db *sql.DB, id string, at time.Time) {
	t.Helper()
	if _, err := db.Exec(`INSERT INTO processed_events (id, processed_at) VALUES (?, ?)`, id, at.UTC().Format(sqldb.TimeFormat)); err != nil {
		t.Fatal(err)
	}
}

func processedCount(t *testing.T, db *sql.DB, id string) (n int) {
	t.Helper()
	if err := db.QueryRow(`SELECT count(*) FROM processed_events WHERE id LIKE ?`, id).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestProcessedPrunerWaitsForStreamMaxAge plays the upgrade of a running
// shop: its streams were declared without MaxAge, so they may deliver an
// old event again, and the pruner deletes nothing and says why; once a
// service declares them again (EnsureStreams at its start), the update
// applies MaxAge to the existing streams and the pruner deletes the rows
// past the retention, and only those.
func TestProcessedPrunerWaitsForStreamMaxAge(t *testing.T) {
	db, js := setup(t)
	ctx := context.Background()
	for _, s := range []jetstream.StreamConfig{ // as the shop declared them before
		{Name: "ORDERS", Subjects: []string{"orders.>"}, Duplicates: DuplicateWindow},
		{Name: "STOCK", Subjects: []string{"stock.>"}, Duplicates: DuplicateWindow},
	} {
		if _, err := events.EnsureStream(ctx, js, s); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	for i := range 7 {
		processed(t, db, "old-"+string(rune('a'+i)), now.Add(-DefaultProcessedRetention-time.Duration(i+1)*time.Minute))
	}
	processed(t, db, "kept", now.Add(-DefaultProcessedRetention+time.Minute))
	log := &messages{}
	p := &ProcessedPruner{DB: db, JetStream: func() jetstream.JetStream { return js }, Streams: []string{"STOCK"},
		Retention: DefaultProcessedRetention, Batch: 3, Now: func() time.Time { return now }, Logger: slog.New(log)}

	if n := p.pass(ctx); n != 0 {
		t.Errorf("with a stream without MaxAge the pruner deleted %d rows, want 0", n)
	}
	if got := log.count("WARN processed events not pruned"); got != 1 {
		t.Errorf("%d warnings about the stream, want 1", got)
	}
	if err := CheckStreams(ctx, js, "STOCK"); err == nil || !strings.Contains(err.Error(), "for ever") {
		t.Errorf("CheckStreams = %v, want an error saying the stream keeps messages for ever", err)
	}

	if err := EnsureStreams(ctx, js); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"ORDERS", "STOCK"} {
		s, err := js.Stream(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.CachedInfo().Config.MaxAge; got != StreamMaxAge {
			t.Errorf("stream %s MaxAge %v after EnsureStreams, want %v", name, got, StreamMaxAge)
		}
	}
	if n := p.pass(ctx); n != 7 {
		t.Errorf("the pruner deleted %d rows, want the 7 past the retention", n)
	}
	if old, kept := processedCount(t, db, "old-%"), processedCount(t, db, "kept"); old != 0 || kept != 1 {
		t.Errorf("%d old and %d recent rows left, want 0 and 1", old, kept)
	}

	// A stream kept longer than StreamMaxAge stops the pruner as well.
	if _, err := events.EnsureStream(ctx, js, jetstream.StreamConfig{Name: "STOCK", Subjects: []string{"stock.>"},
		Duplicates: DuplicateWindow, MaxAge: 2 * StreamMaxAge}); err != nil {
		t.Fatal(err)
	}
	if err := CheckStreams(ctx, js, "ORDERS", "STOCK"); err == nil || !strings.Contains(err.Error(), "STOCK") {
		t.Errorf("CheckStreams = %v, want STOCK refused", err)
	}
}

// TestProcessedPrunerKeepsDeduplicating runs a real consumer
// (events.Idempotent over sqldb.Processed) and a pruner on a clock the test
// moves. The pruner deletes a row past the retention while it keeps the
// consumer's own marker, which is within it; a second copy of that event,
// stored by the stream as a new message (published after the duplicate
// window, as a relay does after a crash), is acknowledged without being
// applied. Once the clock passes the retention, the marker goes too.
func TestProcessedPrunerKeepsDeduplicating(t *testing.T) {
	t.Parallel()
	db, js := setup(t)
	ctx := context.Background()
	// The shop's limits, with a duplicate window short enough to publish
	// a second copy of an event within the test.
	const window = 100 * time.Millisecond
	if _, err := events.EnsureStream(ctx, js, jetstream.StreamConfig{Name: "TEST", Subjects: []string{"test.>"},
		Duplicates: window, MaxAge: StreamMaxAge}); err != nil {
		t.Fatal(err)
	}
	var applied atomic.Int32
	sub := events.NewSubscriber(js, events.Consumer{Stream: "TEST", Durable: "test", Subject: "test.>"},
		events.Idempotent(sqldb.Processed{DB: db}, func(context.Context, events.Event[map[string]string]) error {
			applied.Add(1)
			return nil
		}))
	if err := sub.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer sub.Stop(ctx)
	pub := events.NewPublisher[map[string]string](js, "test.created")
	cons, err := js.Consumer(ctx, "TEST", "test")
	if err != nil {
		t.Fatal(err)
	}
	acked := func(seq uint64) func() bool {
		return func() bool {
			info, err := cons.Info(ctx)
			return err == nil && info.AckFloor.Stream >= seq
		}
	}

	if _, err := pub.Publish(ctx, "evt-1", map[string]string{"n": "1"}); err != nil {
		t.Fatal(err)
	}
	eventually(t, acked(1), func() string { return "the first copy was not acknowledged" })
	if applied.Load() != 1 {
		t.Fatalf("applied %d times, want 1", applied.Load())
	}
	var at string
	if err := db.QueryRow(`SELECT processed_at FROM processed_events WHERE id = 'evt-1'`).Scan(&at); err != nil {
		t.Fatal(err)
	}
	first, err := time.Parse(sqldb.TimeFormat, at)
	if err != nil {
		t.Fatal(err)
	}
	processed(t, db, "ancient", first.Add(-DefaultProcessedRetention-time.Hour))

	// The clock stands one minute before evt-1's row expires.
	clk := &clock{t: first.Add(DefaultProcessedRetention - time.Minute)}
	p := &ProcessedPruner{DB: db, JetStream: func() jetstream.JetStream { return js }, Streams: []string{"TEST"},
		Every: 10 * time.Millisecond, Now: clk.Now}
	pctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- p.Run(pctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run = %v, want nil after its context ended", err)
		}
	}()
	eventually(t, func() bool { return processedCount(t, db, "ancient") == 0 },
		func() string { return "the row past the retention was not pruned" })
	if processedCount(t, db, "evt-1") != 1 {
		t.Fatal("evt-1's marker was pruned within the retention")
	}

	time.Sleep(2 * window) // past the duplicate window: the stream stores the copy
	ack, err := pub.Publish(ctx, "evt-1", map[string]string{"n": "1"})
	if err != nil {
		t.Fatal(err)
	}
	if ack.Duplicate || ack.Sequence != 2 {
		t.Fatalf("second copy: duplicate %v, sequence %d, want a new message at 2", ack.Duplicate, ack.Sequence)
	}
	eventually(t, acked(2), func() string { return "the second copy was not acknowledged" })
	if got := applied.Load(); got != 1 {
		t.Errorf("applied %d times after a second copy within the retention, want 1", got)
	}

	clk.Add(2 * time.Minute) // now past evt-1's retention
	eventually(t, func() bool { return processedCount(t, db, "evt-1") == 0 },
		func() string { return "evt-1's marker was kept past the retention" })
}

func TestValidateProcessedRetention(t *testing.T) {
	for _, tt := range []struct {
		d  time.Duration
		ok bool
	}{
		{-1, true}, {0, true}, {time.Hour, false}, {StreamMaxAge, false}, {MinProcessedRetention - 1, false},
		{MinProcessedRetention, true}, {DefaultProcessedRetention, true},
	} {
		if err := ValidateProcessedRetention(tt.d); (err == nil) != tt.ok {
			t.Errorf("ValidateProcessedRetention(%v) = %v, want ok %v", tt.d, err, tt.ok)
		}
	}
	if MinProcessedRetention < StreamMaxAge+RepublishWindow {
		t.Errorf("MinProcessedRetention %v, want at least the max age plus the republish window (%v)",
			MinProcessedRetention, StreamMaxAge+RepublishWindow)
	}
	p := &ProcessedPruner{Retention: time.Hour}
	if err := p.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "below the minimum") {
		t.Errorf("Run with a 1h retention = %v, want the minimum named", err)
	}
	off := &ProcessedPruner{Retention: -1}
	if err := off.Run(context.Background()); err != nil {
		t.Errorf("Run with pruning off = %v, want nil at once", err)
	}
}
