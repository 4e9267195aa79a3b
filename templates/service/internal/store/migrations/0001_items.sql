-- Items, in SQL that SQLite and PostgreSQL both accept.
CREATE TABLE items (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_ms BIGINT NOT NULL
);
CREATE INDEX items_created ON items (created_ms DESC);
