// Package sqldb opens a service's own database, SQLite (modernc.org/sqlite:
// pure Go, no cgo) for one machine or PostgreSQL (pgx) for replicas,
// applies its embedded, versioned schema migrations for that engine, and
// carries a transaction through a context so that an event's "processed"
// marker and its effects commit together (see Processed).
package sqldb
