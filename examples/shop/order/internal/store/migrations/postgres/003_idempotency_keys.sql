-- The Idempotency-Key of each order placed with one, per user, with the
-- fingerprint of the request's items (orders.Service.Create). The primary
-- key is the unique constraint that places an order at most once per key,
-- across requests and replicas: a second transaction inserting the same
-- key waits for the first and fails once it commits. The row is written in
-- the order's transaction; the key is kept as long as its order.
CREATE TABLE idempotency_keys (
	user_id TEXT NOT NULL,
	idem_key TEXT NOT NULL,
	fingerprint TEXT NOT NULL,
	order_id TEXT NOT NULL,
	created_at TEXT NOT NULL DEFAULT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
	PRIMARY KEY (user_id, idem_key)
);
