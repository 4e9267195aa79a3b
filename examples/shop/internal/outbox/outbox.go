// Package outbox is the transactional outbox of the shop's services: an event
// is written to the outbox table in the same transaction as the state change
// that caused it (Add), and a Relay publishes unpublished rows to JetStream
// with Nats-Msg-Id set to the row's ID, then marks them published.
//
// A crash after the commit and before the publish loses nothing: the row is
// still unpublished and the next relay sends it. A crash after the publish and
// before the mark sends it again with the same ID, which JetStream stores once
// (within the stream's duplicate window) and idempotent consumers apply once.
// An event is never published for a transaction that rolled back.
//
// Each service's migrations create the table:
//
//	CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
//		subject TEXT NOT NULL, payload BLOB NOT NULL, created_at TEXT NOT NULL, published_at TEXT)
package outbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/gantrykit/gantry/events"
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
}

// Pending returns up to limit unpublished rows, oldest first.
func Pending(ctx context.Context, db *sql.DB, limit int) ([]Row, error) {
	rows, err := db.QueryContext(ctx, `SELECT id, subject, payload FROM outbox WHERE published_at IS NULL ORDER BY seq LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Row
	for rows.Next() {
		var r Row
		var p []byte
		if err := rows.Scan(&r.ID, &r.Subject, &p); err != nil {
			return nil, err
		}
		r.Payload = p
		out = append(out, r)
	}
	return out, rows.Err()
}

// MarkPublished records that the row id has been stored by the stream.
func MarkPublished(ctx context.Context, db *sql.DB, id string) error {
	_, err := db.ExecContext(ctx, `UPDATE outbox SET published_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?`, id)
	return err
}

// EnsureStreams declares the shop's two event streams, ORDERS (orders.>) and
// STOCK (stock.>), with Gantry's event defaults (file storage, a 2-minute
// duplicate window). Every service that publishes or consumes calls it at
// start; it is idempotent.
func EnsureStreams(ctx context.Context, js jetstream.JetStream) error {
	for _, s := range []jetstream.StreamConfig{
		{Name: "ORDERS", Subjects: []string{"orders.>"}},
		{Name: "STOCK", Subjects: []string{"stock.>"}},
	} {
		if _, err := events.EnsureStream(ctx, js, s); err != nil {
			return fmt.Errorf("stream %s: %w", s.Name, err)
		}
	}
	return nil
}
