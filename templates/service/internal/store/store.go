// Package store keeps items in a SQL database through database/sql: SQLite
// (pure Go, no cgo) on one machine, PostgreSQL for many. Open applies the
// migrations in migrations/ in order, once each, and returns a
// Repository for package items.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/gantrykit/gantry/templates/service/internal/items"
)

// Config selects and locates the database: the store: part of the
// service's configuration.
type Config struct {
	Driver string `yaml:"driver" help:"database: sqlite or postgres"`
	DSN    string `yaml:"dsn" help:"data source name, e.g. file:skeleton.db or postgres://user@host/db" secret:"true"`
}

// DB is a Repository over a SQL database. It is safe for concurrent use.
type DB struct {
	db *sql.DB
}

// Open connects to the database cfg names, checks it answers and applies
// the pending migrations.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	driver, ok := lookup(cfg.Driver)
	if !ok {
		return nil, fmt.Errorf("store: driver: got %q, want one of %v", cfg.Driver, driverNames())
	}
	if cfg.DSN == "" {
		return nil, errors.New("store: dsn is empty")
	}
	db, err := sql.Open(driver.name, cfg.DSN)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	driver.tune(db)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: %s: %w", cfg.Driver, err)
	}
	if err := migrate(ctx, db, driver.lock); err != nil {
		db.Close()
		return nil, err
	}
	return &DB{db: db}, nil
}

// Ping checks that the database answers: a readiness check.
func (d *DB) Ping(ctx context.Context) error { return d.db.PingContext(ctx) }

// Close closes the connections.
func (d *DB) Close() error { return d.db.Close() }

// Create implements items.Repository.
func (d *DB) Create(ctx context.Context, it items.Item) error {
	_, err := d.db.ExecContext(ctx, `INSERT INTO items (id, name, created_ms) VALUES ($1, $2, $3)`,
		it.ID, it.Name, it.Created.UnixMilli())
	return err
}

// Get implements items.Repository.
func (d *DB) Get(ctx context.Context, id string) (items.Item, error) {
	row := d.db.QueryRowContext(ctx, `SELECT id, name, created_ms FROM items WHERE id = $1`, id)
	it, err := scan(row)
	if errors.Is(err, sql.ErrNoRows) {
		return items.Item{}, fmt.Errorf("%w: %s", items.ErrNotFound, id)
	}
	return it, err
}

// List implements items.Repository.
func (d *DB) List(ctx context.Context, limit int) ([]items.Item, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT id, name, created_ms FROM items ORDER BY created_ms DESC, id LIMIT $1`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []items.Item{}
	for rows.Next() {
		it, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

func scan(row interface{ Scan(...any) error }) (items.Item, error) {
	var it items.Item
	var ms int64
	if err := row.Scan(&it.ID, &it.Name, &ms); err != nil {
		return items.Item{}, err
	}
	it.Created = time.UnixMilli(ms).UTC()
	return it, nil
}
