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
