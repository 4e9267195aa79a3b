package store

import (
	"context"
	"sync"
	"testing"

	"github.com/gantrykit/gantry/templates/service/internal/store/postgrestest"
)

// TestPostgres runs the Repository contract against a new database on the
// server in GANTRY_TEST_POSTGRES_DSN (see package postgrestest).
func TestPostgres(t *testing.T) {
	testRepository(t, Config{Driver: "postgres", DSN: postgrestest.DSN(t)})
}

// TestPostgresReplicasMigrateAtOnce opens one database from several
// replicas at the same moment: the migrations run once, and every replica
// starts.
func TestPostgresReplicasMigrateAtOnce(t *testing.T) {
	cfg := Config{Driver: "postgres", DSN: postgrestest.DSN(t)}
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			db, err := Open(context.Background(), cfg)
			if err == nil {
				db.Close()
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("Open: %v", err)
		}
	}
}
