-- shop_outbox_held_rows (internal/outbox, Collector) counts held rows at
-- every scrape; this partial index holds only them, so the count costs the
-- held rows (normally none), not the table.
CREATE INDEX IF NOT EXISTS outbox_held ON outbox (held_at) WHERE held_at IS NOT NULL;
