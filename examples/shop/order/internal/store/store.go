// Package store keeps the order service's orders in its own SQLite
// database, with the outbox rows of their events in the same transactions.
// The schema is migrations/, embedded and applied by Open.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"time"

	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/examples/shop/internal/outbox"
	"github.com/gantrykit/gantry/examples/shop/internal/sqldb"
	"github.com/gantrykit/gantry/examples/shop/order/internal/orders"
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrations embed.FS

// Open opens the database dsn names, a SQLite file path (created if
// needed) or a postgres:// URL, and applies the migrations it lacks, those
// of migrations/sqlite or migrations/postgres.
func Open(dsn string) (*sql.DB, error) { return sqldb.OpenMigrated(dsn, migrations, "migrations") }

// DB is an orders.Store over a database made by Open. It is safe for
// concurrent use.
type DB struct {
	db        *sql.DB
	committed func()
}

var _ orders.Store = (*DB)(nil)

// New returns the store over db. committed, if not nil, is called after
// each commit that wrote to the outbox (to wake the relay).
func New(db *sql.DB, committed func()) *DB {
	if committed == nil {
		committed = func() {}
	}
	return &DB{db: db, committed: committed}
}

// Create writes the order, its lines, its key if it has one and its
// orders.created event to the outbox in one transaction. The key's row
// goes first: a second request with the key waits there for the first's
// transaction (PostgreSQL's unique index; SQLite's one writer) and gets
// ErrKeyTaken once it commits, having written nothing.
func (s *DB) Create(ctx context.Context, userID string, k orders.Keyed, o orders.Order, ev orders.OrderCreated) error {
	err := sqldb.InTx(ctx, s.db, func(tx *sql.Tx) error {
		if k.Key != "" {
			_, err := tx.ExecContext(ctx, `INSERT INTO idempotency_keys (user_id, idem_key, fingerprint, order_id)
				VALUES ($1, $2, $3, $4)`, userID, k.Key, k.Fingerprint, o.ID)
			if sqldb.IsUniqueViolation(err) {
				return orders.ErrKeyTaken
			}
			if err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO orders (id, user_id, status, total_cents) VALUES ($1, $2, $3, $4)`,
			o.ID, userID, o.Status, o.TotalCents); err != nil {
			return err
		}
		for _, l := range o.Items {
			if _, err := tx.ExecContext(ctx, `INSERT INTO order_items (order_id, product_id, name, quantity, price_cents)
				VALUES ($1, $2, $3, $4, $5)`, o.ID, l.ProductID, l.Name, l.Quantity, l.PriceCents); err != nil {
				return err
			}
		}
		return outbox.Add(ctx, tx, "order-created-"+o.ID, orders.SubjectOrderCreated, ev)
	})
	if err == nil {
		s.committed()
	}
	return err
}

// ByKey returns the order userID placed with key, and the fingerprint of
// that request, else NotFound.
func (s *DB) ByKey(ctx context.Context, userID, key string) (string, string, error) {
	var id, fp string
	err := s.db.QueryRowContext(ctx, `SELECT order_id, fingerprint FROM idempotency_keys WHERE user_id = $1 AND idem_key = $2`,
		userID, key).Scan(&id, &fp)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", errs.NotFound("no order placed with this key")
	}
	return id, fp, err
}

// Get returns the order if userID owns it, else NotFound.
func (s *DB) Get(ctx context.Context, userID, id string) (orders.Order, error) {
	o := orders.Order{ID: id}
	err := s.db.QueryRowContext(ctx, `SELECT status, reason, total_cents FROM orders WHERE id = $1 AND user_id = $2`,
		id, userID).Scan(&o.Status, &o.Reason, &o.TotalCents)
	if errors.Is(err, sql.ErrNoRows) {
		return orders.Order{}, errs.NotFound("order %q not found", id)
	}
	if err != nil {
		return orders.Order{}, err
	}
	o.Items, err = s.lines(ctx, o.ID)
	return o, err
}

// List returns userID's orders, newest first, at most 100 (an empty
// slice, not nil, when there is none).
func (s *DB) List(ctx context.Context, userID string) ([]orders.Order, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, status, reason, total_cents FROM orders
		WHERE user_id = $1 ORDER BY created_at DESC, id LIMIT 100`, userID)
	if err != nil {
		return nil, err
	}
	out := []orders.Order{}
	for rows.Next() {
		var o orders.Order
		if err := rows.Scan(&o.ID, &o.Status, &o.Reason, &o.TotalCents); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Items, err = s.lines(ctx, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *DB) lines(ctx context.Context, orderID string) ([]orders.OrderLine, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT product_id, name, quantity, price_cents FROM order_items
		WHERE order_id = $1 ORDER BY rowid`, orderID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ls := []orders.OrderLine{}
	for rows.Next() {
		var l orders.OrderLine
		if err := rows.Scan(&l.ProductID, &l.Name, &l.Quantity, &l.PriceCents); err != nil {
			return nil, err
		}
		ls = append(ls, l)
	}
	return ls, rows.Err()
}

// Settle moves a pending order to status, in the transaction ctx carries
// (see sqldb.Processed) or a new one.
func (s *DB) Settle(ctx context.Context, id, status, reason string) error {
	return sqldb.InTx(ctx, s.db, func(tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, `UPDATE orders SET status = $1, reason = $2, updated_at = $3
			WHERE id = $4 AND status = 'pending'`, status, reason, time.Now().UTC().Format(sqldb.TimeFormat), id)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			var exists int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM orders WHERE id = $1`, id).Scan(&exists); err != nil {
				return err
			}
			if exists == 0 {
				return errs.InvalidArgument("stock result for unknown order %q", id)
			}
		}
		return nil
	})
}
