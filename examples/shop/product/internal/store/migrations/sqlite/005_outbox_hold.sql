-- The relay records when it first tried to publish a row (attempted_at),
-- and holds a row it may have published more than outbox.RepublishWindow
-- ago instead of publishing it again (held_at), so that a second copy of
-- an event is never stored long after the first (internal/outbox, package
-- documentation). A row pending now may have been published by an earlier
-- relay that did not record its attempts: it counts as attempted when it
-- was created, which is never later than its real first attempt.
ALTER TABLE outbox ADD COLUMN attempted_at TEXT;
ALTER TABLE outbox ADD COLUMN held_at TEXT;
UPDATE outbox SET attempted_at = created_at WHERE published_at IS NULL;
