-- Replicas of a service each run an outbox relay over the one database. A
-- relay claims the rows it is about to publish (claimed_by, until
-- claimed_until: its lease), so that no other relay publishes them
-- meanwhile; a relay that dies leaves them to the others once its lease
-- ends (internal/outbox, Claim).
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
ALTER TABLE outbox ADD COLUMN claimed_until TEXT;
