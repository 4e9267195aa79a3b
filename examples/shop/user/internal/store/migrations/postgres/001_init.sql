-- The user service's tables on PostgreSQL, as the SQLite migrations leave
-- them: accounts with bcrypt password hashes (emails are stored lower-case,
-- so the plain UNIQUE does what SQLite's NOCASE does), and the token
-- signing keys shared by every replica (see the SQLite migration 002).
-- Times are text in sqldb.TimeFormat, UTC with milliseconds.
CREATE TABLE users (
	id TEXT PRIMARY KEY,
	email TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	password_hash BYTEA NOT NULL,
	admin INTEGER NOT NULL DEFAULT 0,
	created_at TEXT NOT NULL DEFAULT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
);

CREATE TABLE signing_keys (
	kid TEXT PRIMARY KEY,
	private_key BYTEA NOT NULL,
	created_at TEXT NOT NULL,
	sign_from TEXT NOT NULL,
	retire_at TEXT
);
