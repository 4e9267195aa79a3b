package store

import (
	"context"
	"path/filepath"
	"testing"
)

func TestSQLite(t *testing.T) {
	testRepository(t, Config{Driver: "sqlite", DSN: "file:" + filepath.Join(t.TempDir(), "items.db")})
}

// TestMigrationsRunOnce reopens a database: the applied migration is not
// run again (it would fail: the table exists).
func TestMigrationsRunOnce(t *testing.T) {
	cfg := Config{Driver: "sqlite", DSN: "file:" + filepath.Join(t.TempDir(), "items.db")}
	for i := range 2 {
		db, err := Open(context.Background(), cfg)
		if err != nil {
			t.Fatalf("open %d: %v", i+1, err)
		}
		db.Close()
	}
}
