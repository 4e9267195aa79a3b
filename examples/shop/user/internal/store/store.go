// Package store keeps the user service's accounts and token signing keys
// in its own database, SQLite or PostgreSQL. The schema is migrations/, embedded and applied by Open.
package store

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"time"

	"github.com/gantrykit/gantry/errs"
	"github.com/gantrykit/gantry/examples/shop/internal/sqldb"
	"github.com/gantrykit/gantry/examples/shop/user/internal/users"
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrations embed.FS

// Open opens the database dsn names, a SQLite file path (created if
// needed) or a postgres:// URL, and applies the migrations it lacks, those
// of migrations/sqlite or migrations/postgres.
func Open(dsn string) (*sql.DB, error) { return sqldb.OpenMigrated(dsn, migrations, "migrations") }

// DB is a users.Store over a database made by Open. It is safe for
// concurrent use.
type DB struct{ db *sql.DB }

var _ users.Store = DB{}

// New returns the store over db.
func New(db *sql.DB) DB { return DB{db} }

// Insert adds u; an email already taken is a Conflict.
func (s DB) Insert(ctx context.Context, u users.User, hash []byte) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO users (id, email, name, password_hash) VALUES ($1, $2, $3, $4)`,
		u.ID, u.Email, u.Name, hash)
	if sqldb.IsUniqueViolation(err) {
		return errs.Conflict("email %s is already registered", u.Email)
	}
	return err
}

// UpsertAdmin creates or promotes the admin account.
func (s DB) UpsertAdmin(ctx context.Context, id, email string, hash []byte) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO users (id, email, name, password_hash, admin) VALUES ($1, $2, 'Admin', $3, 1)
		ON CONFLICT (email) DO UPDATE SET admin = 1, password_hash = excluded.password_hash`, id, email, hash)
	return err
}

// ByEmail returns the account and its hash, or users.ErrNoUser.
func (s DB) ByEmail(ctx context.Context, email string) (users.User, []byte, error) {
	var u users.User
	var hash []byte
	err := s.db.QueryRowContext(ctx, `SELECT id, email, admin, password_hash FROM users WHERE email = $1`, email).
		Scan(&u.ID, &u.Email, &u.Admin, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return users.User{}, nil, users.ErrNoUser
	}
	return u, hash, err
}

// ByID returns the account, or users.ErrNoUser.
func (s DB) ByID(ctx context.Context, id string) (users.User, error) {
	var u users.User
	err := s.db.QueryRowContext(ctx, `SELECT id, email, name, admin FROM users WHERE id = $1`, id).
		Scan(&u.ID, &u.Email, &u.Name, &u.Admin)
	if errors.Is(err, sql.ErrNoRows) {
		return users.User{}, users.ErrNoUser
	}
	return u, err
}

var _ users.KeyStore = DB{}

// SigningKeys implements users.KeyStore.
func (s DB) SigningKeys(ctx context.Context) ([]users.SigningKey, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT kid, private_key, created_at, sign_from, retire_at FROM signing_keys`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []users.SigningKey
	for rows.Next() {
		var k users.SigningKey
		var der []byte
		var created, signFrom string
		var retire sql.NullString
		if err := rows.Scan(&k.ID, &der, &created, &signFrom, &retire); err != nil {
			return nil, err
		}
		key, err := x509.ParsePKCS8PrivateKey(der)
		if err != nil {
			return nil, fmt.Errorf("signing key %s: %w", k.ID, err)
		}
		var ok bool
		if k.Private, ok = key.(*rsa.PrivateKey); !ok {
			return nil, fmt.Errorf("signing key %s: want RSA, got %T", k.ID, key)
		}
		if k.Created, err = parseTime(created); err == nil {
			k.SignFrom, err = parseTime(signFrom)
		}
		if err == nil && retire.Valid {
			k.RetireAt, err = parseTime(retire.String)
		}
		if err != nil {
			return nil, fmt.Errorf("signing key %s: %w", k.ID, err)
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// AddSigningKey implements users.KeyStore: the check and the writes are one
// transaction that holds the table (SQLite's writer lock; a SHARE ROW
// EXCLUSIVE lock on PostgreSQL, which two of them cannot hold at once).
func (s DB) AddSigningKey(ctx context.Context, k users.SigningKey, since, retire time.Time) (bool, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k.Private)
	if err != nil {
		return false, err
	}
	added := false
	err = sqldb.InTx(ctx, s.db, func(tx *sql.Tx) error {
		if sqldb.EngineOf(s.db) == sqldb.Postgres {
			if _, err := tx.ExecContext(ctx, `LOCK TABLE signing_keys IN SHARE ROW EXCLUSIVE MODE`); err != nil {
				return err
			}
		}
		var newer int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM signing_keys WHERE created_at >= $1`, format(since)).Scan(&newer); err != nil {
			return err
		}
		if newer > 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE signing_keys SET retire_at = $1 WHERE retire_at IS NULL`, format(retire)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO signing_keys (kid, private_key, created_at, sign_from) VALUES ($1, $2, $3, $4)`,
			k.ID, der, format(k.Created), format(k.SignFrom)); err != nil {
			return err
		}
		added = true
		return nil
	})
	return added, err
}

func format(t time.Time) string { return t.UTC().Format(sqldb.TimeFormat) }

func parseTime(s string) (time.Time, error) { return time.Parse(sqldb.TimeFormat, s) }
