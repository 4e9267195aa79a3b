package store

import (
	"database/sql"

	_ "modernc.org/sqlite" // registers "sqlite": pure Go, no cgo
)

// sqlite is one file, one writer: a single connection serializes writes
// instead of failing them with SQLITE_BUSY. Give the DSN
// _pragma=journal_mode(WAL) for readers beside the writer, and run one
// replica only.
var sqlite = driver{name: "sqlite", tune: func(db *sql.DB) { db.SetMaxOpenConns(1) }}
