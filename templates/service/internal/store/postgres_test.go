package store

import (
	"os"
	"testing"
)

// TestPostgres runs against the database in SKELETON_TEST_POSTGRES_DSN, e.g.
// postgres://postgres:secret@localhost:5432/postgres?sslmode=disable (a
// throwaway one: the test writes to it).
func TestPostgres(t *testing.T) {
	dsn := os.Getenv("SKELETON_TEST_POSTGRES_DSN")
	if dsn == "" {
		t.Skip("SKELETON_TEST_POSTGRES_DSN is not set")
	}
	testRepository(t, Config{Driver: "postgres", DSN: dsn})
}
