// Package sqldb opens a service's own SQLite database (modernc.org/sqlite:
// pure Go, no cgo), applies its embedded, versioned schema migrations, and
// carries a transaction through a context so that an event's "processed"
// marker and its effects commit together (see Processed).
package sqldb
