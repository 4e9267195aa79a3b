package outbox

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.opentelemetry.io/otel/propagation"

	"github.com/gantrykit/gantry/events"
	"github.com/gantrykit/gantry/examples/shop/internal/sqldb"
	"github.com/gantrykit/gantry/telemetry"
)

// Add writes the event v (JSON) for subject under id, in tx. The ID must be
// unique: it becomes the event's Nats-Msg-Id. The trace context of ctx (the
// request's, sampled or not) and its request ID are kept with the row: the
// relay publishes the event as a child of it, with that request ID, so the
// event's publish and its consumers belong to the request's trace and log
// its request_id.
func Add(ctx context.Context, tx *sql.Tx, id, subject string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO outbox (id, subject, payload, trace_context) VALUES ($1, $2, $3, $4)`,
		id, subject, b, traceOf(ctx))
	return err
}

// traceOf returns ctx's W3C trace context fields and its request ID (key
// x-request-id) as a JSON object, or "" when ctx carries neither.
func traceOf(ctx context.Context) string {
	c := propagation.MapCarrier{}
	propagation.TraceContext{}.Inject(ctx, c)
	if id := telemetry.RequestID(ctx); id != "" {
		c.Set(telemetry.MetadataRequestID, id)
	}
	if len(c) == 0 {
		return ""
	}
	b, _ := json.Marshal(c) // a map of strings always encodes
	return string(b)
}

// Row is one outbox entry.
type Row struct {
	ID      string
	Subject string
	Payload json.RawMessage
	// Attempted is when the relay first tried to publish the row (zero:
	// never). A row tried before may be stored in the stream already.
	Attempted time.Time
	// Trace holds the W3C trace context fields (traceparent, tracestate)
	// and the request ID (x-request-id) of the request that wrote the row;
	// empty when it had none.
	Trace propagation.MapCarrier
}

// pendingQuery reads the partial index outbox_pending (seq WHERE
// published_at IS NULL), which holds only unpublished rows: its cost does not
// grow with the published rows kept for the retention. Held rows (rare: see
// Hold) are among them and skipped.
const pendingQuery = `SELECT id, subject, payload, attempted_at, trace_context FROM outbox
	WHERE published_at IS NULL AND held_at IS NULL ORDER BY seq LIMIT $1`

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
		if err := scanRow(rows, &r); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// scanRow reads [seq,] id, subject, payload, attempted_at, trace_context
// into r.
func scanRow(rows *sql.Rows, r *Row, seq ...any) error {
	var p []byte
	var attempted sql.NullString
	var tc string
	if err := rows.Scan(append(seq, &r.ID, &r.Subject, &p, &attempted, &tc)...); err != nil {
		return err
	}
	r.Payload = p
	if tc != "" {
		if err := json.Unmarshal([]byte(tc), &r.Trace); err != nil {
			return fmt.Errorf("outbox: row %s: trace_context: %w", r.ID, err)
		}
	}
	if attempted.Valid {
		t, err := time.Parse(sqldb.TimeFormat, attempted.String)
		if err != nil {
			return fmt.Errorf("outbox: row %s: attempted_at: %w", r.ID, err)
		}
		r.Attempted = t
	}
	return nil
}

// claimQuery takes the oldest unpublished, unheld rows that no relay holds
// (or whose lease ran out, or that owner holds already) for owner, until
// its lease ends. On PostgreSQL the inner SELECT locks the rows it picks
// and skips those another claim is locking, and the outer WHERE is checked
// again on each row after any wait, so two replicas claiming at once get
// different rows; SQLite runs one writer at a time. It reads outbox_pending.
var claimQuery = [...]string{sqldb.SQLite: claimSQL(""), sqldb.Postgres: claimSQL(" FOR UPDATE SKIP LOCKED")}

func claimSQL(lock string) string {
	const free = `published_at IS NULL AND held_at IS NULL AND (claimed_until IS NULL OR claimed_until < $3 OR claimed_by = $1)`
	return `UPDATE outbox SET claimed_by = $1, claimed_until = $2 WHERE ` + free + ` AND seq IN (
	SELECT seq FROM outbox WHERE ` + free + ` ORDER BY seq LIMIT $4` + lock + `)
	RETURNING seq, id, subject, payload, attempted_at, trace_context`
}

// Claim takes up to limit unpublished rows that are not held, oldest
// first, for the relay owner until until (its lease): until then, Claim by
// any other owner skips them. A row whose lease ended before now (the
// claimer's clock) is free again: a relay that died leaves its rows to the
// others after its lease. owner may claim its own rows again.
func Claim(ctx context.Context, db *sql.DB, owner string, now, until time.Time, limit int) ([]Row, error) {
	rows, err := db.QueryContext(ctx, claimQuery[sqldb.EngineOf(db)], owner,
		until.UTC().Format(sqldb.TimeFormat), now.UTC().Format(sqldb.TimeFormat), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	type seqRow struct {
		seq int64
		Row
	}
	var got []seqRow
	for rows.Next() {
		var r seqRow
		if err := scanRow(rows, &r.Row, &r.seq); err != nil {
			return nil, err
		}
		got = append(got, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(got, func(a, b seqRow) int { return cmp.Compare(a.seq, b.seq) }) // RETURNING has no order
	out := make([]Row, len(got))
	for i, r := range got {
		out[i] = r.Row
	}
	return out, nil
}

// Release gives up owner's claim on the rows ids, for another relay to take
// at once rather than after the lease.
func Release(ctx context.Context, db *sql.DB, owner string, ids []string) error {
	for _, id := range ids {
		if _, err := db.ExecContext(ctx, `UPDATE outbox SET claimed_by = NULL, claimed_until = NULL
			WHERE id = $1 AND claimed_by = $2`, id, owner); err != nil {
			return err
		}
	}
	return nil
}

// MarkAttempted records at as the time the relay first tried to publish
// the row id; a time already recorded is kept.
func MarkAttempted(ctx context.Context, db *sql.DB, id string, at time.Time) error {
	_, err := db.ExecContext(ctx, `UPDATE outbox SET attempted_at = $1 WHERE id = $2 AND attempted_at IS NULL`,
		at.UTC().Format(sqldb.TimeFormat), id)
	return err
}

// Hold takes the unpublished row id out of the relay's reach from time at:
// Pending no longer returns it and it is never pruned. An operator releases
// it with UPDATE outbox SET held_at = NULL, attempted_at = NULL WHERE id = ...
func Hold(ctx context.Context, db *sql.DB, id string, at time.Time) error {
	_, err := db.ExecContext(ctx, `UPDATE outbox SET held_at = $1 WHERE id = $2 AND published_at IS NULL`,
		at.UTC().Format(sqldb.TimeFormat), id)
	return err
}

// MarkPublished records that the row id was stored by the stream at time
// at. Only a marked row is ever pruned.
func MarkPublished(ctx context.Context, db *sql.DB, id string, at time.Time) error {
	_, err := db.ExecContext(ctx, `UPDATE outbox SET published_at = $1, claimed_by = NULL, claimed_until = NULL WHERE id = $2`,
		at.UTC().Format(sqldb.TimeFormat), id)
	return err
}

// pruneQuery reads the partial index outbox_published (published_at WHERE
// published_at IS NOT NULL) from its oldest end, so a batch costs the rows
// it deletes, not the table.
const pruneQuery = `DELETE FROM outbox WHERE seq IN (
	SELECT seq FROM outbox WHERE published_at IS NOT NULL AND published_at < $1 ORDER BY published_at LIMIT $2)`

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
