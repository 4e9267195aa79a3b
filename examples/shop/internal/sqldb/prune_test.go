package sqldb

import (
	"context"
	"database/sql"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gantrykit/gantry/examples/shop/internal/sqldb/sqldbtest"
)

// services are the shop's consumers, by the folder of their migrations.
var services = []string{"../../order/internal/store", "../../product/internal/store"}

// service names the service whose migrations are in dir ("order").
func service(dir string) string {
	return strings.TrimSuffix(strings.TrimPrefix(dir, "../../"), "/internal/store")
}

// upgraded opens a database made by the service's migrations without
// *_processed_prune.sql (an existing shop's file, rows and all), then
// applies all of them, as a new release does at start.
func upgraded(t *testing.T, dir string, before func(*sql.DB)) *sql.DB {
	t.Helper()
	full, err := fs.Sub(os.DirFS(dir), "migrations/sqlite")
	if err != nil {
		t.Fatal(err)
	}
	old := fstest.MapFS{}
	names, _ := fs.Glob(full, "*.sql")
	for _, n := range names {
		if strings.HasSuffix(n, "_processed_prune.sql") {
			continue
		}
		b, err := fs.ReadFile(full, n)
		if err != nil {
			t.Fatal(err)
		}
		old[n] = &fstest.MapFile{Data: b}
	}
	if len(old) != len(names)-1 {
		t.Fatalf("%d migrations besides *_processed_prune.sql among %d, want all but one", len(old), len(names))
	}
	path := filepath.Join(t.TempDir(), "svc.db")
	db, err := OpenMigrated(path, old, ".")
	if err != nil {
		t.Fatal(err)
	}
	before(db)
	db.Close()
	if db, err = OpenMigrated(path, full, "."); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// migrated opens the database dsn names with the migrations of the
// service in folder dir, for its engine.
func migrated(t *testing.T, dsn, dir string) *sql.DB {
	t.Helper()
	db, err := OpenMigrated(dsn, os.DirFS(dir), "migrations")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestPruneProcessedUsesIndex upgrades each service's database and checks
// that the prune query reads processed_events_at, neither scanning nor
// sorting the table.
func TestPruneProcessedUsesIndex(t *testing.T) {
	for _, dir := range services {
		t.Run(service(dir), func(t *testing.T) {
			db := upgraded(t, dir, func(*sql.DB) {})
			rows, err := db.Query("EXPLAIN QUERY PLAN "+pruneProcessedQuery[SQLite], "2026-01-01T00:00:00.000Z", 500)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var lines []string
			for rows.Next() {
				var id, parent, notUsed int
				var detail string
				if err := rows.Scan(&id, &parent, &notUsed, &detail); err != nil {
					t.Fatal(err)
				}
				lines = append(lines, detail)
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			if !slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, "INDEX processed_events_at") }) {
				t.Errorf("prune query plan %q, want it to use index processed_events_at", lines)
			}
			for _, l := range lines {
				if l == "SCAN processed_events" || strings.Contains(l, "TEMP B-TREE") {
					t.Errorf("prune query plan %q scans or sorts the table, want an index read", lines)
				}
			}
		})
	}
}

// TestPruneProcessedBothEngines runs on an upgraded database whose rows were written
// before the upgrade by the column's own default (SQLite's clock, the
// format TimeFormat must match) and by hand: rows recorded before the
// cutoff go, oldest first, at most limit per call; the rest stay, and the
// table still refuses a second insert of a kept ID.
func TestPruneProcessedBothEngines(t *testing.T) { sqldbtest.Engines(t, "svc", testPruneProcessed) }

func testPruneProcessed(t *testing.T, dsn string) {
	ctx := context.Background()
	byDefault := func(db *sql.DB) {
		if _, err := db.Exec(`INSERT INTO processed_events (id) VALUES ('by-default')`); err != nil {
			t.Fatal(err)
		}
	}
	var db *sql.DB
	if IsDSN(dsn) {
		db = migrated(t, dsn, services[0])
		byDefault(db)
	} else {
		db = upgraded(t, services[0], byDefault)
	}
	var written string
	if err := db.QueryRow(`SELECT processed_at FROM processed_events WHERE id = 'by-default'`).Scan(&written); err != nil {
		t.Fatal(err)
	}
	at, err := time.Parse(TimeFormat, written)
	if err != nil {
		t.Fatalf("processed_at %q does not parse as TimeFormat: %v", written, err)
	}
	// A cutoff one millisecond after the default-written time removes
	// that row; one at it keeps it. Text comparison must agree.
	if n, err := PruneProcessed(ctx, db, at, 10); err != nil || n != 0 {
		t.Fatalf("prune before %s = %d, %v, want 0 rows (the row is not older than the cutoff)", written, n, err)
	}
	if n, err := PruneProcessed(ctx, db, at.Add(time.Millisecond), 10); err != nil || n != 1 {
		t.Fatalf("prune after %s = %d, %v, want 1 row", written, n, err)
	}

	t0 := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	insert := func(id string, at time.Time) {
		if _, err := db.Exec(`INSERT INTO processed_events (id, processed_at) VALUES ($1, $2)`, id, at.Format(TimeFormat)); err != nil {
			t.Fatal(err)
		}
	}
	// Inserted newest first, so that rowid order is not age order.
	insert("recent", t0.Add(time.Hour))
	insert("at-cutoff", t0)
	for i, id := range []string{"old-5", "old-4", "old-3", "old-2", "old-1"} {
		insert(id, t0.Add(-10*24*time.Hour-time.Duration(i)*time.Millisecond))
	}
	for i, want := range []int{2, 2, 1, 0} {
		n, err := PruneProcessed(ctx, db, t0, 2)
		if err != nil {
			t.Fatal(err)
		}
		if n != want {
			t.Errorf("batch %d deleted %d rows, want %d", i+1, n, want)
		}
		if i == 0 {
			if got := processedIDs(t, db); !slices.Equal(got, []string{"at-cutoff", "old-3", "old-4", "old-5", "recent"}) {
				t.Errorf("after one batch processed_events holds %q, want the two oldest gone", got)
			}
		}
	}
	if got, want := processedIDs(t, db), []string{"at-cutoff", "recent"}; !slices.Equal(got, want) {
		t.Errorf("processed_events holds %q, want %q", got, want)
	}
	applied, err := Processed{DB: db}.Once(ctx, "recent", func(context.Context) error { return nil })
	if err != nil || applied {
		t.Errorf("Once on a kept ID = %v, %v, want false, nil", applied, err)
	}
}

func processedIDs(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query(`SELECT id FROM processed_events ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
