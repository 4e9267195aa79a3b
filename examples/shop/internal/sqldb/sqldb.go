package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"modernc.org/sqlite" // registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"
)

// Engine is the database a *sql.DB of this package talks to.
type Engine int

// The engines Open knows.
const (
	SQLite Engine = iota
	Postgres
)

func (e Engine) String() string {
	if e == Postgres {
		return "postgres"
	}
	return "sqlite"
}

// IsDSN reports whether dsn names a PostgreSQL database (a postgres:// or
// postgresql:// URL) rather than a SQLite file.
func IsDSN(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// EngineOf returns the engine behind db.
func EngineOf(db *sql.DB) Engine {
	if _, ok := db.Driver().(*stdlib.Driver); ok {
		return Postgres
	}
	return SQLite
}

// Open opens the database dsn names. A postgres:// URL opens PostgreSQL
// through pgx, with a pool of at most 10 connections (replicas share the
// server's max_connections). Anything else is the path of a SQLite file,
// created if needed, opened in WAL mode with foreign keys on, a busy
// timeout, and transactions that take the write lock at BEGIN (so two
// writers wait for each other instead of failing on upgrade).
func Open(dsn string) (*sql.DB, error) {
	if IsDSN(dsn) {
		return openPostgres(dsn)
	}
	path := dsn
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_txlock=immediate"+
		"&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)"+
		"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(4)
	if err := pingSQLite(db); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return db, nil
}

// pingSQLite makes the first connection, retrying while the file is busy
// (for at most 10 s). Switching a new file to WAL takes an exclusive lock,
// and SQLite answers SQLITE_BUSY at once, without its busy timeout, to a
// connection that would deadlock waiting for it: two processes (or
// goroutines) opening one new file at the same moment. Once one has
// switched it, the mode is in the file and later opens need no such lock.
func pingSQLite(db *sql.DB) error {
	deadline := time.Now().Add(10 * time.Second)
	for wait := 5 * time.Millisecond; ; wait = min(2*wait, 200*time.Millisecond) {
		err := db.Ping()
		var se *sqlite.Error // its Code is extended: the primary code is the low byte
		if err == nil || !errors.As(err, &se) || se.Code()&0xff != sqlite3.SQLITE_BUSY || time.Now().After(deadline) {
			return err
		}
		time.Sleep(wait)
	}
}

func openPostgres(dsn string) (*sql.DB, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err) // the DSN is not in the message: it may hold a password
	}
	db.SetMaxOpenConns(10)
	db.SetMaxIdleConns(10)
	db.SetConnMaxIdleTime(5 * time.Minute)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	return db, nil
}

// IsUniqueViolation reports whether err is a unique constraint's refusal,
// on either engine.
func IsUniqueViolation(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "23505"
	}
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// migrationLock is the key of the advisory lock that lets one replica at a
// time migrate a PostgreSQL database (arbitrary, fixed).
const migrationLock = 7262772

// Migrate applies, in version order, the files NNN_name.sql of fsys that
// the database has not recorded yet in schema_migrations, each in its own
// transaction with its record. On PostgreSQL each transaction first takes
// an advisory lock, so that replicas starting at once take turns. A file
// name without a numeric prefix, or two files with one version, is an
// error.
func Migrate(ctx context.Context, db *sql.DB, fsys fs.FS) error {
	pg := EngineOf(db) == Postgres
	create := `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL,
		applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))`
	if pg {
		create = `CREATE TABLE IF NOT EXISTS schema_migrations (
			version INTEGER PRIMARY KEY, name TEXT NOT NULL,
			applied_at TEXT NOT NULL DEFAULT ` + PostgresNow + `)`
	}
	if err := inTx(ctx, db, pg, func(tx *sql.Tx) error { _, err := tx.ExecContext(ctx, create); return err }); err != nil {
		return fmt.Errorf("migrations table: %w", err)
	}
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return err
	}
	type file struct {
		version int
		name    string
	}
	var files []file
	seen := map[int]string{}
	for _, n := range names {
		v, err := strconv.Atoi(strings.SplitN(n, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: name must start with a version number", n)
		}
		if prev, dup := seen[v]; dup {
			return fmt.Errorf("migrations %s and %s share version %d", prev, n, v)
		}
		seen[v] = n
		files = append(files, file{v, n})
	}
	sort.Slice(files, func(i, j int) bool { return files[i].version < files[j].version })
	for _, f := range files {
		if err := inTx(ctx, db, pg, func(tx *sql.Tx) error { return apply(ctx, tx, fsys, f.version, f.name) }); err != nil {
			return fmt.Errorf("migration %s: %w", f.name, err)
		}
	}
	return nil
}

// PostgresNow is the SQL of the current time in TimeFormat on PostgreSQL,
// the default of the shop's time columns there.
const PostgresNow = `to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`

func inTx(ctx context.Context, db *sql.DB, lock bool, f func(*sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if lock {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLock); err != nil {
			return err
		}
	}
	if err := f(tx); err != nil {
		return err
	}
	return tx.Commit()
}

func apply(ctx context.Context, tx *sql.Tx, fsys fs.FS, version int, name string) error {
	body, err := fs.ReadFile(fsys, name)
	if err != nil {
		return err
	}
	var done int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = $1`, version).Scan(&done); err != nil {
		return err
	}
	if done > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, version, name)
	return err
}

// OpenMigrated opens the database dsn names (see Open) and applies the
// migrations in folder dir of fsys (an embed.FS): those of dir/sqlite or
// dir/postgres, for the engine, when that folder exists, else those of dir.
func OpenMigrated(dsn string, fsys fs.FS, dir string) (*sql.DB, error) {
	engine := SQLite
	if IsDSN(dsn) {
		engine = Postgres
	}
	if sub := dir + "/" + engine.String(); isDir(fsys, sub) {
		dir = sub
	}
	migrations, err := fs.Sub(fsys, dir)
	if err != nil {
		return nil, err
	}
	db, err := Open(dsn)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := Migrate(ctx, db, migrations); err != nil {
		db.Close()
		if engine == Postgres {
			return nil, fmt.Errorf("postgres: %w", err)
		}
		return nil, fmt.Errorf("%s: %w", dsn, err)
	}
	return db, nil
}

func isDir(fsys fs.FS, name string) bool {
	fi, err := fs.Stat(fsys, name)
	return err == nil && fi.IsDir()
}

// Version returns the highest applied migration version, 0 for none.
func Version(ctx context.Context, db *sql.DB) (int, error) {
	var v sql.NullInt64
	err := db.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&v)
	return int(v.Int64), err
}
