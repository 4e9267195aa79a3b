-- processed_events rows are deleted once no copy of their event can be
-- delivered any more (internal/outbox, ProcessedPruner: the streams'
-- MaxAge plus a margin). This index orders them by when they were
-- recorded, so each prune batch reads the rows it deletes and never scans
-- the table.
CREATE INDEX IF NOT EXISTS processed_events_at ON processed_events (processed_at);
