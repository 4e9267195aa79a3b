-- The order service's tables on PostgreSQL, as the SQLite migrations leave
-- them. Times are text in sqldb.TimeFormat, UTC with milliseconds, on both
-- engines, so that the queries read the same.
CREATE TABLE orders (
	id TEXT PRIMARY KEY,
	user_id TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'rejected')),
	total_cents BIGINT NOT NULL,
	reason TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL DEFAULT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
	updated_at TEXT NOT NULL DEFAULT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
);
CREATE INDEX orders_by_user ON orders (user_id, created_at);

CREATE TABLE order_items (
	-- Named after SQLite's implicit column, so that ORDER BY rowid lists an
	-- order's lines in the order they were written on both engines.
	rowid BIGINT GENERATED ALWAYS AS IDENTITY,
	order_id TEXT NOT NULL REFERENCES orders (id),
	product_id TEXT NOT NULL,
	name TEXT NOT NULL,
	quantity INTEGER NOT NULL CHECK (quantity > 0),
	price_cents BIGINT NOT NULL,
	PRIMARY KEY (order_id, product_id)
);

CREATE TABLE processed_events (
	id TEXT PRIMARY KEY,
	processed_at TEXT NOT NULL DEFAULT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
);
CREATE INDEX processed_events_at ON processed_events (processed_at);

CREATE TABLE outbox (
	seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id TEXT NOT NULL UNIQUE,
	subject TEXT NOT NULL,
	payload BYTEA NOT NULL,
	created_at TEXT NOT NULL DEFAULT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
	published_at TEXT,
	attempted_at TEXT,
	held_at TEXT,
	claimed_by TEXT,
	claimed_until TEXT
);
CREATE INDEX outbox_pending ON outbox (seq) WHERE published_at IS NULL;
CREATE INDEX outbox_published ON outbox (published_at) WHERE published_at IS NOT NULL;
CREATE INDEX outbox_held ON outbox (held_at) WHERE held_at IS NOT NULL;
