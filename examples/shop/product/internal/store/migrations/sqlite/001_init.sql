-- The product service's tables: the catalog with stock, the reservations
-- made for orders, and the event bookkeeping (processed events, outbox).
CREATE TABLE products (
	id TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	price_cents INTEGER NOT NULL CHECK (price_cents > 0),
	stock INTEGER NOT NULL CHECK (stock >= 0),
	reserved INTEGER NOT NULL DEFAULT 0 CHECK (reserved >= 0),
	created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);

CREATE TABLE reservations (
	order_id TEXT NOT NULL,
	product_id TEXT NOT NULL REFERENCES products (id),
	quantity INTEGER NOT NULL CHECK (quantity > 0),
	PRIMARY KEY (order_id, product_id)
);

CREATE TABLE processed_events (
	id TEXT PRIMARY KEY,
	processed_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);

CREATE TABLE outbox (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	id TEXT NOT NULL UNIQUE,
	subject TEXT NOT NULL,
	payload BLOB NOT NULL,
	created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
	published_at TEXT
);
CREATE INDEX outbox_pending ON outbox (seq) WHERE published_at IS NULL;
