package sqldb

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gantrykit/gantry/examples/shop/internal/sqldb/sqldbtest"
)

func TestMigrateBothEngines(t *testing.T) { sqldbtest.Engines(t, "m", testMigrate) }

func testMigrate(t *testing.T, dsn string) {
	ctx := context.Background()
	db, err := Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	v1 := fstest.MapFS{"001_a.sql": {Data: []byte(`CREATE TABLE a (x INTEGER);`)}}
	if err := Migrate(ctx, db, v1); err != nil {
		t.Fatal(err)
	}
	// Again, plus a second version: only the new file runs (a rerun of
	// 001 would fail: table a exists).
	v2 := fstest.MapFS{
		"001_a.sql": v1["001_a.sql"],
		"002_b.sql": {Data: []byte(`INSERT INTO a VALUES (1); INSERT INTO a VALUES (2);`)},
	}
	if err := Migrate(ctx, db, v2); err != nil {
		t.Fatal(err)
	}
	if err := Migrate(ctx, db, v2); err != nil {
		t.Fatal(err)
	}
	var n int
	db.QueryRow(`SELECT count(*) FROM a`).Scan(&n)
	if v, _ := Version(ctx, db); v != 2 || n != 2 {
		t.Errorf("version %d with %d rows, want 2 and 2", v, n)
	}

	// A failing migration leaves no trace: its statements and record roll back.
	bad := fstest.MapFS{"003_c.sql": {Data: []byte(`INSERT INTO a VALUES (3); SELECT * FROM missing;`)}}
	if err := Migrate(ctx, db, bad); err == nil {
		t.Fatal("a broken migration succeeded")
	}
	db.QueryRow(`SELECT count(*) FROM a`).Scan(&n)
	if v, _ := Version(ctx, db); v != 2 || n != 2 {
		t.Errorf("after a failed migration: version %d with %d rows, want 2 and 2", v, n)
	}

	for name, fsys := range map[string]fstest.MapFS{
		"must start with a version": {"init.sql": {Data: []byte(`SELECT 1;`)}},
		"share version":             {"004_x.sql": {Data: []byte(`SELECT 1;`)}, "4_y.sql": {Data: []byte(`SELECT 1;`)}},
	} {
		if err := Migrate(ctx, db, fsys); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("Migrate = %v, want an error saying %q", err, name)
		}
	}
}

// TestMigrateConcurrentlyBothEngines: replicas starting at once over one database
// each apply the migrations it lacks; every version runs once.
func TestMigrateConcurrentlyBothEngines(t *testing.T) {
	sqldbtest.Engines(t, "m", testMigrateConcurrently)
}

func testMigrateConcurrently(t *testing.T, dsn string) {
	fsys := fstest.MapFS{
		"001_a.sql": {Data: []byte(`CREATE TABLE a (x INTEGER);`)},
		"002_b.sql": {Data: []byte(`INSERT INTO a VALUES (1);`)},
		"003_c.sql": {Data: []byte(`CREATE TABLE c (y INTEGER);`)},
	}
	const replicas = 4
	errc := make(chan error, replicas)
	for range replicas {
		go func() {
			db, err := Open(dsn)
			if err == nil {
				err = Migrate(context.Background(), db, fsys)
				db.Close()
			}
			errc <- err
		}()
	}
	for range replicas {
		if err := <-errc; err != nil {
			t.Error(err)
		}
	}
	db, err := Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	db.QueryRow(`SELECT count(*) FROM a`).Scan(&n)
	if v, _ := Version(context.Background(), db); v != 3 || n != 1 {
		t.Errorf("version %d with %d rows, want 3 and 1 (each migration once)", v, n)
	}
}
