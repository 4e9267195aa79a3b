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
// # Traces
//
// Add keeps the W3C trace context of its ctx (the request that wrote the
// row, sampled or not) and its request ID in the row's trace_context
// column, and the Relay publishes the row with that context as the parent
// of its publish span and with that request ID (X-Request-Id): the
// publish, and each consumer's span (a child of the publish), belong to
// the request's trace, and the consumers' log lines carry its request_id,
// however late the relay sends it. A parent rather
// than a span link, because an event is part of the work its request
// started; a row written outside a trace is published in a new trace.
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
// message, which consumers' processed-event markers (sqldb.Processed) recognise
// and do not apply again, for as long as they are kept (next section).
//
// # Processed events
//
// A consumer's processed_events row (sqldb.Processed) is what makes a second
// copy of an event harmless, so a ProcessedPruner deletes it only once no
// copy of that event can be delivered any more. Copies come from two places:
//
//   - JetStream redelivers the stored message until it is acknowledged or
//     has been delivered MaxDeliver times. This can happen long after the
//     first handling (a consumer that applied an event and died before the
//     ack gets it again when it comes back, days later perhaps), so it is
//     bounded by the stream, not by the consumer: EnsureStreams gives ORDERS
//     and STOCK a MaxAge of StreamMaxAge (7 days), after which the stream
//     deletes a message, acknowledged or not.
//   - A relay that crashed between a publish and its mark publishes the row
//     again. Within the DuplicateWindow the stream drops the copy; later it
//     stores a second message with the same ID, whose own MaxAge starts only
//     then. The stream's MaxAge does not bound this one: the relay may come
//     back after any outage. So the relay bounds it: it records when it first
//     tried to publish a row (attempted_at, committed before the publish),
//     and a row first tried more than RepublishWindow (24 hours) ago is held
//     (held_at, logged as an error), never published again by the relay; an
//     operator decides. A row that merely could not be published for a day
//     (NATS down) is held as well: the relay cannot tell the two apart. The
//     relay publishes only while its connection is up, so that no copy waits
//     in the client's reconnect buffer to be stored at some later time.
//
// Let s1 be when the stream stored the first copy; every copy of the event is
// delivered before s1 + RepublishWindow + StreamMaxAge, and the first handling,
// which wrote processed_at, came after s1. A row is therefore deleted only
// when its processed_at is older than MinProcessedRetention: StreamMaxAge +
// RepublishWindow + ProcessedSlack (1 hour, for an event fetched just before
// it expired and handled a little later, and for small clock steps). Each
// bound is measured on one clock (the stream's, the relay's, the consumer's),
// so clock offsets between machines do not matter. The default retention,
// processed_retention in the services (ORDER_PROCESSED_RETENTION,
// PRODUCT_PROCESSED_RETENTION), is DefaultProcessedRetention, 9 days; a
// negative value keeps rows for ever. A copy made by hand, such as a dead
// letter published to its stream again, is outside these bounds: replay
// only events first handled less than the retention ago.
//
// The pruner also checks the streams before each pass: if one keeps messages
// longer than StreamMaxAge or for ever (declared by an older shop and not
// updated yet, or changed by hand), it deletes nothing and logs a warning.
// EnsureStreams updates an existing stream to the MaxAge when a service
// starts, which deletes the stored events older than it.
//
// # Metrics
//
// A Collector, registered by each service on its App's registry, counts
// the outbox at every scrape of /metrics: shop_outbox_pending_rows (the
// relay's backlog) and shop_outbox_held_rows (rows waiting for an operator),
// each labelled with the service. Each is one COUNT under a 1s timeout,
// reading a partial index. A count that fails is left out of that scrape and
// counted in shop_outbox_query_errors_total, so the rest of /metrics is
// still served. The shop's alert rules page on any held row
// (GantryOutboxHeld) and warn on a backlog that does not drain
// (GantryOutboxBacklog); see examples/shop/deploy/prometheus.
//
// Each service's migrations create the tables and their indexes, which keep
// the relay's and the pruners' queries cheap however many rows are kept:
//
//	CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
//		subject TEXT NOT NULL, payload BLOB NOT NULL, created_at TEXT, published_at TEXT,
//		attempted_at TEXT, held_at TEXT);
//	CREATE INDEX outbox_pending ON outbox (seq) WHERE published_at IS NULL;
//	CREATE INDEX IF NOT EXISTS outbox_published ON outbox (published_at) WHERE published_at IS NOT NULL;
//	CREATE INDEX IF NOT EXISTS outbox_held ON outbox (held_at) WHERE held_at IS NOT NULL;
//	CREATE INDEX IF NOT EXISTS processed_events_at ON processed_events (processed_at);
package outbox
