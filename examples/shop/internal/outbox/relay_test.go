package outbox

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/goleak"

	"github.com/gantrykit/gantry/examples/shop/internal/sqldb"
	"github.com/gantrykit/gantry/transport/nats/embedded"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// services are the shop's services with an outbox, by the folder of their
// migrations (relative to this package).
var services = []string{"../../order/internal/store", "../../product/internal/store"}

// service names the service whose migrations are in dir ("order").
func service(dir string) string {
	return strings.TrimSuffix(strings.TrimPrefix(dir, "../../"), "/internal/store")
}

// migrated opens a new database with the real migrations of the service in
// folder dir, so the tests run on the schema and indexes the shop ships.
func migrated(t testing.TB, dir string) *sql.DB {
	t.Helper()
	return migratedOn(t, filepath.Join(t.TempDir(), "o.db"), dir)
}

// migratedOn is migrated on the database dsn names, of either engine.
func migratedOn(t testing.TB, dsn, dir string) *sql.DB {
	t.Helper()
	db, err := sqldb.OpenMigrated(dsn, os.DirFS(dir), "migrations")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func setup(t testing.TB) (*sql.DB, jetstream.JetStream) {
	t.Helper()
	return setupOn(t, filepath.Join(t.TempDir(), "o.db"))
}

// setupOn is setup on the database dsn names, of either engine.
func setupOn(t testing.TB, dsn string) (*sql.DB, jetstream.JetStream) {
	t.Helper()
	db := migratedOn(t, dsn, services[0])
	ns, err := embedded.Start(embedded.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ns.Shutdown)
	nc, err := nats.Connect(ns.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return db, js
}

func add(t *testing.T, db *sql.DB, id, subject string) {
	t.Helper()
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if err := Add(context.Background(), tx, id, subject, map[string]string{"id": id}); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// waitPending waits until the outbox has n unpublished rows.
func waitPending(t *testing.T, db *sql.DB, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		rows, err := Pending(context.Background(), db, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d rows pending, want %d", len(rows), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestRelayPublishesWithRowID: rows written while no stream exists stay
// pending (publish fails, retried), and once the stream is there each is
// stored once, under its row ID as Nats-Msg-Id, and marked published.
func TestRelayPublishesWithRowID(t *testing.T) {
	t.Parallel()
	db, js := setup(t)
	ctx, cancel := context.WithCancel(context.Background())
	r := &Relay{DB: db, JetStream: func() jetstream.JetStream { return js }, Interval: 20 * time.Millisecond}
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run = %v, want nil after its context ended", err)
		}
	}()

	add(t, db, "evt-1", "orders.created")
	add(t, db, "evt-2", "stock.reserved")
	r.Notify()
	time.Sleep(100 * time.Millisecond) // several polls fail: no stream captures the subjects
	waitPending(t, db, 2)

	if err := EnsureStreams(context.Background(), js); err != nil {
		t.Fatal(err)
	}
	waitPending(t, db, 0)
	for stream, id := range map[string]string{"ORDERS": "evt-1", "STOCK": "evt-2"} {
		s, err := js.Stream(context.Background(), stream)
		if err != nil {
			t.Fatal(err)
		}
		msg, err := s.GetMsg(context.Background(), 1)
		if err != nil {
			t.Fatal(err)
		}
		if got := msg.Header.Get(jetstream.MsgIDHeader); got != id {
			t.Errorf("stream %s: Nats-Msg-Id %q, want %q", stream, got, id)
		}
		if info, _ := s.Info(context.Background()); info.State.Msgs != 1 {
			t.Errorf("stream %s holds %d messages, want 1", stream, info.State.Msgs)
		}
	}
}

// TestRelayFault: a Fault stops Run with its error and leaves the row
// unpublished (BeforePublish) or published but unmarked (AfterPublish),
// claimed by the crashed relay until its lease ends.
func TestRelayFault(t *testing.T) {
	for _, stage := range []Stage{BeforePublish, AfterPublish} {
		db, js := setup(t)
		if err := EnsureStreams(context.Background(), js); err != nil {
			t.Fatal(err)
		}
		add(t, db, "evt-1", "orders.created")
		r := &Relay{DB: db, JetStream: func() jetstream.JetStream { return js },
			Fault: func(s Stage, id string) error {
				if s == stage {
					return ErrCrash
				}
				return nil
			}}
		if err := r.Run(context.Background()); !errors.Is(err, ErrCrash) {
			t.Fatalf("stage %d: Run = %v, want ErrCrash", stage, err)
		}
		waitPending(t, db, 1)
		s, _ := js.Stream(context.Background(), "ORDERS")
		info, _ := s.Info(context.Background())
		if want := uint64(stage - 1); info.State.Msgs != want {
			t.Errorf("stage %d: stream holds %d messages, want %d", stage, info.State.Msgs, want)
		}
		// Until the crashed relay's lease ends, no other relay takes its row.
		if rows, err := Claim(context.Background(), db, "other", time.Now(), time.Now().Add(time.Minute), 10); err != nil || len(rows) != 0 {
			t.Errorf("stage %d: another relay claimed %d rows (%v) within the crashed one's lease, want 0", stage, len(rows), err)
		}
		// The next relay, after the lease, finishes the job; the stream
		// still holds one.
		ctx, cancel := context.WithCancel(context.Background())
		later := func() time.Time { return time.Now().Add(DefaultLease + time.Second) }
		r2 := &Relay{DB: db, JetStream: func() jetstream.JetStream { return js }, Interval: 10 * time.Millisecond, Now: later}
		done := make(chan error, 1)
		go func() { done <- r2.Run(ctx) }()
		waitPending(t, db, 0)
		cancel()
		<-done
		info, _ = s.Info(context.Background())
		if info.State.Msgs != 1 {
			t.Errorf("stage %d: after the second relay the stream holds %d messages, want 1", stage, info.State.Msgs)
		}
	}
}
