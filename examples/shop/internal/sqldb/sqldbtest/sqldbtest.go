// Package sqldbtest runs a shop test on each engine sqldb opens: a new
// SQLite file, and a new PostgreSQL database on the server named by
// GANTRY_TEST_POSTGRES_DSN (see internal/pgtest: without it the PostgreSQL
// half skips, and fails under CI=true).
package sqldbtest

import (
	"path/filepath"
	"testing"

	"github.com/gantrykit/gantry/internal/pgtest"
)

// Engines runs f as the subtests "sqlite" and "postgres", each with the
// DSN of a new, empty database (name is the SQLite file's base name).
func Engines(t *testing.T, name string, f func(t *testing.T, dsn string)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { f(t, filepath.Join(t.TempDir(), name+".db")) })
	t.Run("postgres", func(t *testing.T) { f(t, pgtest.DSN(t)) })
}
