package outbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/gantrykit/gantry/events"
	"github.com/gantrykit/gantry/examples/shop/internal/sqldb"
)

// Add writes the event v (JSON) for subject under id, in tx. The ID must be
// unique: it becomes the event's Nats-Msg-Id.
func Add(ctx context.Context, tx *sql.Tx, id, subject string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO outbox (id, subject, payload) VALUES (?, ?, ?)`, id, subject, b)
	return err
}

// Row is one outbox entry.
type Row struct {
	ID      string
	Subject string
	Payload json.RawMessage
	// Attempted is when the relay first tried to publish the row (zero:
	// never). A row tried before may be stored in the stream already.
	Attempted time.Time
}

// pendingQuery reads the partial index outbox_pending (seq WHERE
// published_at IS NULL), which holds only unpublished rows: its cost does not
// grow with the published rows kept for the retention. Held rows (rare: see
// Hold) are among them and skipped.
const pendingQuery = `SELECT id, subject, payload, attempted_at FROM outbox
	WHERE published_at IS NULL AND held_at IS NULL ORDER BY seq LIMIT ?`

// Pending returns up to limit unpublished rows that are not held, oldest
// first.
func Pending(ctx context.Context, db *sql.DB, limit int) ([]Row, error) {
	rows, err := db.QueryContext(ctx, pendingQuery, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Row
	for rows.Next() {
		var r Row
		var p []byte
		var attempted sql.NullString
		if err := rows.Scan(&r.ID, &r.Subject, &p, &attempted); err != nil {
			return nil, err
		}
		r.Payload = p
		if attempted.Valid {
			if r.Attempted, err = time.Parse(sqldb.TimeFormat, attempted.String); err != nil {
				return nil, fmt.Errorf("outbox: row %s: attempted_at: %w", r.ID, err)
			}
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// MarkAttempted records at as the time the relay first tried to publish
// the row id; a time already recorded is kept.
func MarkAttempted(ctx context.Context, db *sql.DB, id string, at time.Time) error {
	_, err := db.ExecContext(ctx, `UPDATE outbox SET attempted_at = ? WHERE id = ? AND attempted_at IS NULL`,
		at.UTC().Format(sqldb.TimeFormat), id)
	return err
}

// Hold takes the unpublished row id out of the relay's reach from time at:
// Pending no longer returns it and it is never pruned. An operator releases
// it with UPDATE outbox SET held_at = NULL, attempted_at = NULL WHERE id = ...
func Hold(ctx context.Context, db *sql.DB, id string, at time.Time) error {
	_, err := db.ExecContext(ctx, `UPDATE outbox SET held_at = ? WHERE id = ? AND published_at IS NULL`,
		at.UTC().Format(sqldb.TimeFormat), id)
	return err
}

// MarkPublished records that the row id was stored by the stream at time
// at. Only a marked row is ever pruned.
func MarkPublished(ctx context.Context, db *sql.DB, id string, at time.Time) error {
	_, err := db.ExecContext(ctx, `UPDATE outbox SET published_at = ? WHERE id = ?`, at.UTC().Format(sqldb.TimeFormat), id)
	return err
}

// pruneQuery reads the partial index outbox_published (published_at WHERE
// published_at IS NOT NULL) from its oldest end, so a batch costs the rows
// it deletes, not the table.
const pruneQuery = `DELETE FROM outbox WHERE seq IN (
	SELECT seq FROM outbox WHERE published_at IS NOT NULL AND published_at < ? ORDER BY published_at LIMIT ?)`

// Prune deletes up to limit rows marked published before before, oldest
// first, and returns how many it deleted. Unpublished rows are never
// deleted. A result equal to limit means more may be left.
func Prune(ctx context.Context, db *sql.DB, before time.Time, limit int) (int, error) {
	res, err := db.ExecContext(ctx, pruneQuery, before.UTC().Format(sqldb.TimeFormat), limit)
	if err != nil {
		return 0, fmt.Errorf("outbox: prune: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// DuplicateWindow is the span within which the shop's streams store a
// republished Nats-Msg-Id once. The relay keeps published rows at least
// MinRetention, well beyond it (see the package documentation).
const DuplicateWindow = 2 * time.Minute

// StreamMaxAge is how long the shop's streams keep a message: the stream
// deletes it then, acknowledged or not, so no copy of an event is delivered
// later than StreamMaxAge after the stream stored it. ProcessedPruner relies
// on it; a consumer stopped for longer than this misses the events stored
// meanwhile.
const StreamMaxAge = 7 * 24 * time.Hour

// EnsureStreams declares the shop's two event streams, ORDERS (orders.>) and
// STOCK (stock.>), with Gantry's event defaults (file storage), a
// DuplicateWindow and a StreamMaxAge. Every service that publishes or
// consumes calls it at start; it is idempotent, and it updates streams
// declared before with other limits (an older shop's, without MaxAge).
func EnsureStreams(ctx context.Context, js jetstream.JetStream) error {
	for _, s := range []jetstream.StreamConfig{
		{Name: "ORDERS", Subjects: []string{"orders.>"}, Duplicates: DuplicateWindow, MaxAge: StreamMaxAge},
		{Name: "STOCK", Subjects: []string{"stock.>"}, Duplicates: DuplicateWindow, MaxAge: StreamMaxAge},
	} {
		if _, err := events.EnsureStream(ctx, js, s); err != nil {
			return fmt.Errorf("stream %s: %w", s.Name, err)
		}
	}
	return nil
}
