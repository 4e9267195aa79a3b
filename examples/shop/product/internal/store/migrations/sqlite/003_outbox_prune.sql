-- The outbox relay deletes rows published longer ago than its retention
-- (internal/outbox, Relay.Retention). This index holds only published rows,
-- ordered by when they were published, so each prune batch reads the rows
-- it deletes and never scans the table. The pending query has its own
-- partial index, outbox_pending, from the first migration.
CREATE INDEX IF NOT EXISTS outbox_published ON outbox (published_at) WHERE published_at IS NOT NULL;
