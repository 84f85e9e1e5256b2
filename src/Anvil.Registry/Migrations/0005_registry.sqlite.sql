-- Registry schema, version 5 (SQLite): the private collection registry (Galaxy v3), beside the records. Its API
-- tokens (registry_tokens) were made here too until Anvil.Data took them over: now 0000_users makes them.
-- Times are integer microseconds since 1970-01-01 UTC, as everywhere else.
CREATE TABLE registry_namespaces (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    name TEXT NOT NULL UNIQUE,
    description TEXT NULL
);

CREATE TABLE registry_namespace_owners (
    namespace_id INTEGER NOT NULL REFERENCES registry_namespaces (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created INTEGER NOT NULL,
    PRIMARY KEY (namespace_id, user_id)
);
CREATE INDEX ix_registry_owners_user ON registry_namespace_owners (user_id);

-- latest_version is the highest SemVer of the versions (pre-releases only when there is nothing else); updated
-- changes with every new version (ansible-galaxy's response cache keys on it).
CREATE TABLE registry_collections (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    namespace_id INTEGER NOT NULL REFERENCES registry_namespaces (id),
    name TEXT NOT NULL,
    latest_version TEXT NULL,
    description TEXT NULL,
    version_count INTEGER NOT NULL DEFAULT 0,
    UNIQUE (namespace_id, name)
);
CREATE INDEX ix_registry_collections_updated ON registry_collections (updated);

-- A version is never replaced nor deleted: UNIQUE (collection_id, version) decides between concurrent uploads.
-- path is the artifact file, relative to the artifacts folder; metadata is MANIFEST.json's collection_info.
CREATE TABLE registry_versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created INTEGER NOT NULL,
    collection_id INTEGER NOT NULL REFERENCES registry_collections (id),
    version TEXT NOT NULL,
    prerelease INTEGER NOT NULL DEFAULT 0,
    filename TEXT NOT NULL UNIQUE,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    metadata TEXT NOT NULL,
    contents TEXT NOT NULL DEFAULT '[]',
    requires_ansible TEXT NULL,
    readme TEXT NULL,
    uploader TEXT NULL,
    import_id TEXT NULL,
    UNIQUE (collection_id, version)
);

-- An upload's import: its state (waiting, running, completed, failed), log and error; kept whatever the outcome.
CREATE TABLE registry_imports (
    id TEXT PRIMARY KEY,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    started INTEGER NULL,
    finished INTEGER NULL,
    state TEXT NOT NULL,
    user_name TEXT NOT NULL,
    filename TEXT NOT NULL,
    namespace TEXT NULL,
    name TEXT NULL,
    version TEXT NULL,
    error_code TEXT NULL,
    error_description TEXT NULL,
    messages TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX ix_registry_imports_user ON registry_imports (user_name, created);
CREATE INDEX ix_registry_imports_created ON registry_imports (created);
