// Package outbox is the transactional outbox of the shop's services: an event
// is written to the outbox table in the same transaction as the state change
// that caused it (Add), and a Relay publishes unpublished rows to JetStream
// with Nats-Msg-Id set to the row's ID, then marks them published.
//
// A crash after the commit and before the publish loses nothing: the row is
// still unpublished and the next relay sends it. A crash after the publish and
// before the mark sends it again with the same ID, which JetStream stores once
// (within the stream's duplicate window) and idempotent consumers apply once.
// An event is never published for a transaction that rolled back.
//
// Each service's migrations create the table:
//
//	CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
//		subject TEXT NOT NULL, payload BLOB NOT NULL, created_at TEXT DEFAULT CURRENT_TIMESTAMP, published_at TEXT)
package outbox
