-- The product service's tables on PostgreSQL, as the SQLite migrations
-- leave them, and the catalog a new shop starts with. Times are text in
-- sqldb.TimeFormat, UTC with milliseconds, on both engines, so that the
-- queries read the same.
CREATE TABLE products (
	id TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	price_cents BIGINT NOT NULL CHECK (price_cents > 0),
	stock INTEGER NOT NULL CHECK (stock >= 0),
	reserved INTEGER NOT NULL DEFAULT 0 CHECK (reserved >= 0),
	created_at TEXT NOT NULL DEFAULT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
);

CREATE TABLE reservations (
	order_id TEXT NOT NULL,
	product_id TEXT NOT NULL REFERENCES products (id),
	quantity INTEGER NOT NULL CHECK (quantity > 0),
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

-- The catalog a new shop starts with (products changed or added later are
-- never reset: a migration runs once).
INSERT INTO products (id, name, price_cents, stock) VALUES
	('p01', 'Espresso beans, 1 kg', 2490, 100),
	('p02', 'Pour-over kettle', 5900, 40),
	('p03', 'Burr grinder', 14900, 25),
	('p04', 'Ceramic dripper', 2200, 60),
	('p05', 'Paper filters (100)', 690, 200),
	('p06', 'Digital scale', 3900, 50),
	('p07', 'Milk jug, 600 ml', 1850, 70),
	('p08', 'Espresso cup set', 2990, 45),
	('p09', 'Cold brew bottle', 2400, 55),
	('p10', 'Tamper, 58 mm', 3200, 35),
	('p11', 'Knock box', 2700, 30),
	('p12', 'Descaler (4 doses)', 1290, 120);
