// Package sqldbtest runs a shop test on each engine sqldb opens: a new
// SQLite file, and a new PostgreSQL database on the server named by
// GANTRY_TEST_POSTGRES_DSN (see internal/pgtest: without it the PostgreSQL
// half skips, and fails under CI=true).
package sqldbtest

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/gantrykit/gantry/internal/pgtest"
)

// Suffix ends the name of every test that calls Engines, so that one
// pattern selects their PostgreSQL halves by name: .ci/run's verbose
// PostgreSQL step runs go test -run 'BothEngines/postgres'.
const Suffix = "BothEngines"

// Engines runs f as the subtests "sqlite" and "postgres", each with the
// DSN of a new, empty database (name is the SQLite file's base name). The
// calling test's name must end in Suffix (it fails otherwise), so that
// no test on PostgreSQL falls outside CI's verbose step.
func Engines(t *testing.T, name string, f func(t *testing.T, dsn string)) {
	t.Helper()
	if top, _, _ := strings.Cut(t.Name(), "/"); !strings.HasSuffix(top, Suffix) {
		t.Fatalf("%s runs on both engines: name it %s%s (see sqldbtest.Suffix)", top, top, Suffix)
	}
	t.Run("sqlite", func(t *testing.T) { f(t, filepath.Join(t.TempDir(), name+".db")) })
	t.Run("postgres", func(t *testing.T) { f(t, pgtest.DSN(t)) })
}
