// Package store keeps the product service's catalog, stock and
// reservations in its own SQLite database, with the outbox rows of the
// stock events in the same transactions. The schema is migrations/
// (seeded with twelve products), embedded and applied by Open.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/examples/shop/internal/outbox"
	"github.com/gantrykit/gantry/examples/shop/internal/sqldb"
	"github.com/gantrykit/gantry/examples/shop/product/internal/products"
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrations embed.FS

// Open opens the database dsn names, a SQLite file path (created if
// needed) or a postgres:// URL, and applies the migrations it lacks, those
// of migrations/sqlite or migrations/postgres.
func Open(dsn string) (*sql.DB, error) { return sqldb.OpenMigrated(dsn, migrations, "migrations") }

// DB is a products.Store over a database made by Open. It is safe for
// concurrent use.
type DB struct {
	db *sql.DB
	// committed is called after a transaction of its own that wrote to
	// the outbox.
	committed func()
}

var _ products.Store = (*DB)(nil)

// New returns the store over db. committed, if not nil, is called after
// each commit of its own that added an outbox row (to wake the relay); in
// a caller's transaction the caller does that after its commit.
func New(db *sql.DB, committed func()) *DB {
	if committed == nil {
		committed = func() {}
	}
	return &DB{db: db, committed: committed}
}

// List returns the catalog ordered by ID.
func (s *DB) List(ctx context.Context) ([]products.Product, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, price_cents, stock FROM products ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []products.Product{}
	for rows.Next() {
		var p products.Product
		if err := rows.Scan(&p.ID, &p.Name, &p.PriceCents, &p.Stock); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Get returns one product, or a NotFound error.
func (s *DB) Get(ctx context.Context, id string) (products.Product, error) {
	var p products.Product
	err := s.db.QueryRowContext(ctx, `SELECT id, name, price_cents, stock FROM products WHERE id = $1`, id).
		Scan(&p.ID, &p.Name, &p.PriceCents, &p.Stock)
	if errors.Is(err, sql.ErrNoRows) {
		return products.Product{}, errs.NotFound("product %q not found", id)
	}
	return p, err
}

// Create adds p.
func (s *DB) Create(ctx context.Context, p products.Product) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO products (id, name, price_cents, stock) VALUES ($1, $2, $3, $4)`,
		p.ID, p.Name, p.PriceCents, p.Stock)
	return err
}

// Reserve takes the order's stock or none of it and adds the outcome to
// the outbox, in the transaction ctx carries (see sqldb.Processed) or a
// new one. Each line decrements only WHERE stock >= its quantity, and a
// CHECK constraint backs that up.
func (s *DB) Reserve(ctx context.Context, ev products.OrderCreated) error {
	err := sqldb.InTx(ctx, s.db, func(tx *sql.Tx) error {
		reason, err := reserve(ctx, tx, ev)
		if err != nil {
			return err
		}
		result := products.StockResult{OrderID: ev.OrderID, Reason: reason}
		subject := products.SubjectStockReserved
		if reason != "" {
			subject = products.SubjectStockRejected
		}
		// One outcome per order: the ID is derived from the order, so even a
		// second orders.created for it could not add a second outcome.
		return outbox.Add(ctx, tx, "stock-"+ev.OrderID, subject, result)
	})
	if err == nil && sqldb.TxFrom(ctx) == nil {
		s.committed() // in a caller's transaction, the caller wakes the relay after its commit
	}
	return err
}

// reserve takes stock for every line inside a savepoint, and rolls back to
// it (returning the reason) when one line cannot be served.
func reserve(ctx context.Context, tx *sql.Tx, ev products.OrderCreated) (reason string, err error) {
	if _, err := tx.ExecContext(ctx, `SAVEPOINT reserve`); err != nil {
		return "", err
	}
	// Lines in product order: orders racing for the same products lock
	// their rows in one order, so none waits for another in a cycle (a
	// deadlock PostgreSQL would break by failing one of them).
	lines := slices.Clone(ev.Items)
	slices.SortStableFunc(lines, func(a, b products.OrderLine) int { return strings.Compare(a.ProductID, b.ProductID) })
	for _, l := range lines {
		if reason, err = lineProblem(ctx, tx, ev.OrderID, l); err != nil {
			return "", err // a database error: the event is retried
		}
		if reason != "" {
			break
		}
	}
	if reason != "" {
		if _, err := tx.ExecContext(ctx, `ROLLBACK TO reserve`); err != nil {
			return "", err
		}
	}
	_, err = tx.ExecContext(ctx, `RELEASE reserve`)
	return reason, err
}

// lineProblem reserves one line and returns "" or why it cannot; err is
// a database failure.
func lineProblem(ctx context.Context, tx *sql.Tx, orderID string, l products.OrderLine) (string, error) {
	if l.Quantity <= 0 {
		return fmt.Sprintf("quantity %d of %s", l.Quantity, l.ProductID), nil
	}
	res, err := tx.ExecContext(ctx, `UPDATE products SET stock = stock - $1, reserved = reserved + $2
		WHERE id = $3 AND stock >= $4`, l.Quantity, l.Quantity, l.ProductID, l.Quantity)
	if err != nil {
		return "", err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return "not enough stock of " + l.ProductID, err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO reservations (order_id, product_id, quantity) VALUES ($1, $2, $3)
		ON CONFLICT (order_id, product_id) DO UPDATE SET quantity = reservations.quantity + excluded.quantity`,
		orderID, l.ProductID, l.Quantity)
	return "", err
}
