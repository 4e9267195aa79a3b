// Package outbox is the transactional outbox of the shop's services: an event
// is written to the outbox table in the same transaction as the state change
// that caused it (Add), and a Relay publishes unpublished rows to JetStream
// with Nats-Msg-Id set to the row's ID, then marks them published.
//
// A crash after the commit and before the publish loses nothing: the row is
// still unpublished and the next relay sends it. A crash after the publish and
// before the mark sends it again with the same ID, which JetStream stores once
// (within the stream's DuplicateWindow, 2 minutes) and idempotent consumers
// apply once. An event is never published for a transaction that rolled back.
//
// # Pruning
//
// The Relay's own loop also deletes rows published more than Retention ago
// (default 24h, at least MinRetention, 10 minutes; the services read it as
// outbox_retention, e.g. ORDER_OUTBOX_RETENTION). It looks every PruneEvery
// (1 minute) of its clock, deletes at most PruneBatch rows (500) per
// statement, oldest first, and flushes pending rows between two batches, so a
// backlog never holds up publishing. A batch that deleted rows is logged at
// debug level ("outbox pruned", rows=N); a failure is logged as a warning and
// retried a minute later. It stops with Run's context. Unpublished rows are
// never deleted, however old.
//
// Pruning cannot cause a duplicate. A row is deleted only once the relay has
// marked it, which it does only after the stream acknowledged the publish;
// the relay never reads a marked row again, so nothing it deletes can be
// sent again. The one path to a second publish of an ID, a crash between the
// publish and the mark, leaves the row unmarked, and so out of pruning's
// reach. Retention is kept well above the DuplicateWindow so that the two
// guards on an event ID overlap with no gap: the table's UNIQUE id refuses a
// second Add of an ID for as long as the row is kept, which covers the
// window in which the stream would silently drop a second publish of it.
// After that, an ID used again would be stored by the stream as a new
// message, which consumers' processed-event markers (sqldb.Processed, never
// pruned) recognise and do not apply again.
//
// Each service's migrations create the table and its two partial indexes,
// which keep the relay's queries cheap however many published rows are kept:
//
//	CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
//		subject TEXT NOT NULL, payload BLOB NOT NULL, created_at TEXT, published_at TEXT);
//	CREATE INDEX outbox_pending ON outbox (seq) WHERE published_at IS NULL;
//	CREATE INDEX IF NOT EXISTS outbox_published ON outbox (published_at) WHERE published_at IS NOT NULL;
package outbox
