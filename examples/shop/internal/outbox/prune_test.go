package outbox

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

	"github.com/gantrykit/gantry/examples/shop/internal/sqldb"

	"github.com/gantrykit/gantry/examples/shop/internal/sqldb/sqldbtest"
)

// plan returns the detail lines of EXPLAIN QUERY PLAN for q.
func plan(t *testing.T, db *sql.DB, q string, args ...any) []string {
	t.Helper()
	rows, err := db.Query("EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id, parent, notUsed int
		var detail string
		if err := rows.Scan(&id, &parent, &notUsed, &detail); err != nil {
			t.Fatal(err)
		}
		out = append(out, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// migrationsBefore returns a service's migrations and those that come
// before the one whose name ends in suffix (names sort in order of
// version): the database of a shop that predates that migration.
func migrationsBefore(t *testing.T, dir, suffix string) (full fs.FS, old fstest.MapFS) {
	t.Helper()
	full, err := fs.Sub(os.DirFS(dir), "migrations/sqlite")
	if err != nil {
		t.Fatal(err)
	}
	names, _ := fs.Glob(full, "*.sql")
	i := slices.IndexFunc(names, func(n string) bool { return strings.HasSuffix(n, suffix) })
	if i < 1 {
		t.Fatalf("migrations %q: got no *%s after the first, want one", names, suffix)
	}
	old = fstest.MapFS{}
	for _, n := range names[:i] {
		b, err := fs.ReadFile(full, n)
		if err != nil {
			t.Fatal(err)
		}
		old[n] = &fstest.MapFile{Data: b}
	}
	return full, old
}

// TestMigrationsIndexTheQueries upgrades a database made by each service's
// migrations as they were before pruning (an existing shop's file), and
// checks that the pending query reads outbox_pending and the prune query
// reads outbox_published: neither scans the table nor sorts it.
func TestMigrationsIndexTheQueries(t *testing.T) {
	for _, dir := range services {
		t.Run(service(dir), func(t *testing.T) {
			full, old := migrationsBefore(t, dir, "_outbox_prune.sql")
			path := filepath.Join(t.TempDir(), "svc.db")
			db, err := sqldb.OpenMigrated(path, old, ".")
			if err != nil {
				t.Fatal(err)
			}
			db.Close()
			if db, err = sqldb.OpenMigrated(path, full, "."); err != nil {
				t.Fatal(err)
			}
			defer db.Close()

			for _, tt := range []struct {
				name, query, index string
				args               []any
			}{
				{"pending", pendingQuery, "outbox_pending", []any{100}},
				{"prune", pruneQuery, "outbox_published", []any{"2026-01-01T00:00:00.000Z", 500}},
			} {
				lines := plan(t, db, tt.query, tt.args...)
				if !slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, "INDEX "+tt.index) }) {
					t.Errorf("%s query plan %q, want it to use index %s", tt.name, lines, tt.index)
				}
				for _, l := range lines {
					if l == "SCAN outbox" || strings.Contains(l, "TEMP B-TREE") {
						t.Errorf("%s query plan %q scans or sorts the table, want an index read", tt.name, lines)
					}
				}
			}
		})
	}
}

// TestPruneBothEngines deletes only rows published before the cutoff, oldest first, at
// most limit per call; unpublished rows stay however old they are.
func TestPruneBothEngines(t *testing.T) { sqldbtest.Engines(t, "o", testPrune) }

func testPrune(t *testing.T, dsn string) {
	db := migratedOn(t, dsn, services[0])
	ctx := context.Background()
	t0 := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	mark := func(id string, at time.Time) {
		add(t, db, id, "orders.created")
		if err := MarkPublished(ctx, db, id, at); err != nil {
			t.Fatal(err)
		}
	}
	for i, id := range []string{"old-1", "old-2", "old-3", "old-4", "old-5"} {
		mark(id, t0.Add(-25*time.Hour+time.Duration(i)*time.Millisecond))
	}
	mark("at-cutoff", t0)
	mark("recent", t0.Add(time.Hour))
	add(t, db, "stuck", "orders.created")
	if _, err := db.Exec(`UPDATE outbox SET created_at = '2000-01-01T00:00:00.000Z' WHERE id = 'stuck'`); err != nil {
		t.Fatal(err)
	}

	for i, want := range []int{2, 2, 1, 0} {
		n, err := Prune(ctx, db, t0, 2)
		if err != nil {
			t.Fatal(err)
		}
		if n != want {
			t.Errorf("batch %d deleted %d rows, want %d", i+1, n, want)
		}
		if i == 0 {
			if got := ids(t, db); !slices.Equal(got, []string{"old-3", "old-4", "old-5", "at-cutoff", "recent", "stuck"}) {
				t.Errorf("after one batch the outbox holds %q, want the two oldest gone", got)
			}
		}
	}
	if got, want := ids(t, db), []string{"at-cutoff", "recent", "stuck"}; !slices.Equal(got, want) {
		t.Errorf("outbox holds %q, want %q", got, want)
	}
}

// ids returns the outbox's row IDs in seq order.
func ids(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query(`SELECT id FROM outbox ORDER BY seq`)
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

func TestValidateRetention(t *testing.T) {
	for _, tt := range []struct {
		d  time.Duration
		ok bool
	}{
		{-1, true}, {0, true}, {time.Minute, false}, {MinRetention - 1, false},
		{MinRetention, true}, {DefaultRetention, true},
	} {
		if err := ValidateRetention(tt.d); (err == nil) != tt.ok {
			t.Errorf("ValidateRetention(%v) = %v, want ok %v", tt.d, err, tt.ok)
		}
	}
	if MinRetention < 5*DuplicateWindow {
		t.Errorf("MinRetention %v, want at least five duplicate windows (%v)", MinRetention, 5*DuplicateWindow)
	}
	r := &Relay{DB: migrated(t, services[0]), Retention: time.Minute}
	if err := r.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "below the minimum") {
		t.Errorf("Run with a 1m retention = %v, want the minimum named", err)
	}
}
