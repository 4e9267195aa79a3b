package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// TimeFormat is how the shop's tables write times: UTC with milliseconds,
// the form of SQLite's strftime('%Y-%m-%dT%H:%M:%fZ','now') (the default of
// processed_events.processed_at), so that text order is time order and a
// time compares with a column as text.
const TimeFormat = "2006-01-02T15:04:05.000Z"

// pruneProcessedQuery reads the index processed_events_at from its oldest
// end, so a batch costs the rows it deletes, not the table. PostgreSQL has
// no rowid: its form deletes by the key.
var pruneProcessedQuery = [...]string{
	SQLite: `DELETE FROM processed_events WHERE rowid IN (
	SELECT rowid FROM processed_events WHERE processed_at < $1 ORDER BY processed_at LIMIT $2)`,
	Postgres: `DELETE FROM processed_events WHERE id IN (
	SELECT id FROM processed_events WHERE processed_at < $1 ORDER BY processed_at LIMIT $2)`,
}

// PruneProcessed deletes up to limit processed_events rows recorded before
// before, oldest first, and returns how many it deleted; a result equal to
// limit means more may be left. It does not know whether a copy of those
// events can still be delivered: the caller must (see outbox.ProcessedPruner).
func PruneProcessed(ctx context.Context, db *sql.DB, before time.Time, limit int) (int, error) {
	res, err := db.ExecContext(ctx, pruneProcessedQuery[EngineOf(db)], before.UTC().Format(TimeFormat), limit)
	if err != nil {
		return 0, fmt.Errorf("sqldb: prune processed events: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}
