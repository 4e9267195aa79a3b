// Package store keeps the user service's accounts in its own SQLite
// database. The schema is migrations/, embedded and applied by Open.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"strings"

	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/examples/shop/internal/sqldb"
	"github.com/gantrykit/gantry/examples/shop/user/internal/users"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Open opens (creating it if needed) the database at path and applies the
// migrations it lacks.
func Open(path string) (*sql.DB, error) { return sqldb.OpenMigrated(path, migrations, "migrations") }

// DB is a users.Store over a database made by Open. It is safe for
// concurrent use.
type DB struct{ db *sql.DB }

var _ users.Store = DB{}

// New returns the store over db.
func New(db *sql.DB) DB { return DB{db} }

// Insert adds u; an email already taken is a Conflict.
func (s DB) Insert(ctx context.Context, u users.User, hash []byte) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO users (id, email, name, password_hash) VALUES (?, ?, ?, ?)`,
		u.ID, u.Email, u.Name, hash)
	if err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed") {
		return errs.Conflict("email %s is already registered", u.Email)
	}
	return err
}

// UpsertAdmin creates or promotes the admin account.
func (s DB) UpsertAdmin(ctx context.Context, id, email string, hash []byte) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO users (id, email, name, password_hash, admin) VALUES (?, ?, 'Admin', ?, 1)
		ON CONFLICT (email) DO UPDATE SET admin = 1, password_hash = excluded.password_hash`, id, email, hash)
	return err
}

// ByEmail returns the account and its hash, or users.ErrNoUser.
func (s DB) ByEmail(ctx context.Context, email string) (users.User, []byte, error) {
	var u users.User
	var hash []byte
	err := s.db.QueryRowContext(ctx, `SELECT id, email, admin, password_hash FROM users WHERE email = ?`, email).
		Scan(&u.ID, &u.Email, &u.Admin, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return users.User{}, nil, users.ErrNoUser
	}
	return u, hash, err
}

// ByID returns the account, or users.ErrNoUser.
func (s DB) ByID(ctx context.Context, id string) (users.User, error) {
	var u users.User
	err := s.db.QueryRowContext(ctx, `SELECT id, email, name, admin FROM users WHERE id = ?`, id).
		Scan(&u.ID, &u.Email, &u.Name, &u.Admin)
	if errors.Is(err, sql.ErrNoRows) {
		return users.User{}, users.ErrNoUser
	}
	return u, err
}
