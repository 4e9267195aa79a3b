package sqldb

import (
	"context"
	"database/sql"
)

type txKey struct{}

// WithTx returns ctx carrying tx, for code called inside a transaction it
// did not begin (an events.Handler run by Processed.Once).
func WithTx(ctx context.Context, tx *sql.Tx) context.Context {
	return context.WithValue(ctx, txKey{}, tx)
}

// TxFrom returns the transaction ctx carries, or nil.
func TxFrom(ctx context.Context) *sql.Tx {
	tx, _ := ctx.Value(txKey{}).(*sql.Tx)
	return tx
}

// InTx runs fn in the transaction ctx carries, or in a new one on db that
// commits when fn returns nil and rolls back otherwise.
func InTx(ctx context.Context, db *sql.DB, fn func(*sql.Tx) error) error {
	if tx := TxFrom(ctx); tx != nil {
		return fn(tx)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// Processed is an events.Store on the service's own database: Once inserts
// the event ID into processed_events and runs apply in the same transaction
// (reachable through TxFrom), so the marker and the effects commit together
// or not at all. Replicas consuming one durable consumer may both get an
// event (a redelivery after AckWait): on PostgreSQL the second INSERT waits
// for the first transaction and then finds the row, on SQLite writers are
// serialised, so apply runs once. Each service's migrations create the
// table, and an index on processed_at for PruneProcessed (on SQLite):
//
//	CREATE TABLE processed_events (id TEXT PRIMARY KEY,
//		processed_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')));
//	CREATE INDEX processed_events_at ON processed_events (processed_at);
//
// A row may be deleted only once no copy of its event can be delivered any
// more; package outbox's ProcessedPruner knows when that is.
type Processed struct{ DB *sql.DB }

// Once implements events.Store.
func (p Processed) Once(ctx context.Context, id string, apply func(context.Context) error) (bool, error) {
	tx, err := p.DB.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `INSERT INTO processed_events (id) VALUES ($1) ON CONFLICT (id) DO NOTHING`, id)
	if err != nil {
		return false, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, err // already applied (or the count failed)
	}
	if err := apply(WithTx(ctx, tx)); err != nil {
		return false, err
	}
	if err := tx.Commit(); err != nil {
		return false, err
	}
	return true, nil
}
