-- The token signing keys, shared by every replica of the user service
-- (users.KeyRing): each key is published in the JWKS from created_at, signs
-- from sign_from (later, so that verifiers have it before its first token)
-- and leaves the JWKS at retire_at (after the last token it signed has
-- expired). private_key is the PKCS#8 DER of an RSA key: keep this database
-- as private as the password hashes beside it.
CREATE TABLE signing_keys (
	kid TEXT PRIMARY KEY,
	private_key BLOB NOT NULL,
	created_at TEXT NOT NULL,
	sign_from TEXT NOT NULL,
	retire_at TEXT
);
