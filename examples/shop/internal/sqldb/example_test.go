package sqldb_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing/fstest"

	"github.com/gantrykit/gantry/examples/shop/internal/sqldb"
)

// A redelivered event is applied once: the processed_events row and the
// handler's writes commit in one transaction.
func ExampleProcessed() {
	dir, _ := os.MkdirTemp("", "sqldb-example")
	defer os.RemoveAll(dir)
	db, _ := sqldb.OpenMigrated(filepath.Join(dir, "svc.db"), fstest.MapFS{
		"migrations/001_init.sql": {Data: []byte(`
			CREATE TABLE processed_events (id TEXT PRIMARY KEY, processed_at TEXT);
			CREATE TABLE counter (n INTEGER); INSERT INTO counter VALUES (0);`)},
	}, "migrations")
	defer db.Close()

	store := sqldb.Processed{DB: db}
	increment := func(ctx context.Context) error {
		_, err := sqldb.TxFrom(ctx).ExecContext(ctx, `UPDATE counter SET n = n + 1`)
		return err
	}
	for range 2 { // the same event, delivered twice
		applied, err := store.Once(context.Background(), "event-1", increment)
		fmt.Println("applied:", applied, err)
	}
	var n int
	db.QueryRow(`SELECT n FROM counter`).Scan(&n)
	fmt.Println("counter:", n)
	// Output:
	// applied: true <nil>
	// applied: false <nil>
	// counter: 1
}
