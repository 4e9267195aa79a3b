package store

import (
	"database/sql"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
)

// postgres bounds the pool (the server's max_connections is shared by
// every replica) and serialises migrations across replicas with a
// transaction-scoped advisory lock (the key is arbitrary, fixed).
var postgres = driver{
	name: "pgx",
	tune: func(db *sql.DB) {
		db.SetMaxOpenConns(10)
		db.SetMaxIdleConns(5)
		db.SetConnMaxIdleTime(5 * time.Minute)
	},
	lock: "SELECT pg_advisory_xact_lock(7262771)",
}
