-- Anvil.Data's schema (SQLite): the users and their API tokens, which every part refers to.
-- Version 0 because it must come before every part's migrations. Until the parts had migrations of their own, these
-- tables were made by 0001 (users) and 0005 (registry_tokens), exactly as below; a database made then has them
-- already, so everything here is IF NOT EXISTS and this migration changes nothing there. The token table keeps
-- its registry_ name (renaming it would be a migration of its own); the tokens serve every API, not only the registry.
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    name TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    is_admin INTEGER NOT NULL DEFAULT 0
);

-- API tokens: only the SHA-256 of the secret is kept; the secret is shown once, when it is made.
CREATE TABLE IF NOT EXISTS registry_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created INTEGER NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NULL,
    token_sha256 TEXT NOT NULL UNIQUE,
    last_used INTEGER NULL,
    revoked INTEGER NULL
);
CREATE INDEX IF NOT EXISTS ix_registry_tokens_user ON registry_tokens (user_id);
