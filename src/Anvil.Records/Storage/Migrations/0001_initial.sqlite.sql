-- Records schema, version 1 (SQLite). Times are integer microseconds since 1970-01-01 UTC; JSON is UTF-8 text.
CREATE TABLE labels (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE playbooks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    started INTEGER NOT NULL,
    ended INTEGER NULL,
    name TEXT NULL,
    ansible_version TEXT NOT NULL,
    client_version TEXT NULL,
    python_version TEXT NULL,
    server_version TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'unknown',
    arguments TEXT NOT NULL DEFAULT '{}',
    path TEXT NOT NULL,
    controller TEXT NULL,
    "user" TEXT NULL,
    run_ident TEXT NULL UNIQUE
);
CREATE INDEX ix_playbooks_started ON playbooks (started);
CREATE INDEX ix_playbooks_status ON playbooks (status, started);
CREATE INDEX ix_playbooks_updated ON playbooks (updated);

CREATE TABLE playbooks_labels (
    playbook_id INTEGER NOT NULL REFERENCES playbooks (id) ON DELETE CASCADE,
    label_id INTEGER NOT NULL REFERENCES labels (id) ON DELETE CASCADE,
    PRIMARY KEY (playbook_id, label_id)
);
CREATE INDEX ix_playbooks_labels_label ON playbooks_labels (label_id);

CREATE TABLE file_contents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    sha1 TEXT NOT NULL UNIQUE,
    contents TEXT NOT NULL
);

CREATE TABLE files (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    path TEXT NOT NULL,
    content_id INTEGER NOT NULL REFERENCES file_contents (id),
    playbook_id INTEGER NOT NULL REFERENCES playbooks (id) ON DELETE CASCADE,
    UNIQUE (path, playbook_id)
);
CREATE INDEX ix_files_playbook ON files (playbook_id);

CREATE TABLE records (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL DEFAULT '""',
    type TEXT NOT NULL,
    playbook_id INTEGER NOT NULL REFERENCES playbooks (id) ON DELETE CASCADE,
    UNIQUE (key, playbook_id)
);
CREATE INDEX ix_records_playbook ON records (playbook_id);

CREATE TABLE plays (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    started INTEGER NOT NULL,
    ended INTEGER NULL,
    name TEXT NULL,
    uuid TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'unknown',
    playbook_id INTEGER NOT NULL REFERENCES playbooks (id) ON DELETE CASCADE
);
CREATE INDEX ix_plays_playbook ON plays (playbook_id);
CREATE INDEX ix_plays_uuid ON plays (uuid);

CREATE TABLE tasks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    started INTEGER NOT NULL,
    ended INTEGER NULL,
    name TEXT NULL,
    uuid TEXT NULL,
    action TEXT NOT NULL,
    lineno INTEGER NOT NULL,
    tags TEXT NOT NULL DEFAULT '[]',
    handler INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'unknown',
    file_id INTEGER NOT NULL REFERENCES files (id) ON DELETE CASCADE,
    play_id INTEGER NOT NULL REFERENCES plays (id) ON DELETE CASCADE,
    playbook_id INTEGER NOT NULL REFERENCES playbooks (id) ON DELETE CASCADE
);
CREATE INDEX ix_tasks_playbook ON tasks (playbook_id);
CREATE INDEX ix_tasks_play ON tasks (play_id);
CREATE INDEX ix_tasks_file ON tasks (file_id);
CREATE INDEX ix_tasks_uuid ON tasks (uuid);

CREATE TABLE hosts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    name TEXT NOT NULL,
    facts TEXT NOT NULL DEFAULT '{}',
    changed INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    ok INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0,
    unreachable INTEGER NOT NULL DEFAULT 0,
    playbook_id INTEGER NOT NULL REFERENCES playbooks (id) ON DELETE CASCADE,
    UNIQUE (name, playbook_id)
);
CREATE INDEX ix_hosts_playbook ON hosts (playbook_id);
CREATE INDEX ix_hosts_name ON hosts (name, updated);

CREATE TABLE latest_hosts (
    name TEXT PRIMARY KEY,
    host_id INTEGER NOT NULL REFERENCES hosts (id) ON DELETE CASCADE,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL
);
CREATE INDEX ix_latest_hosts_host ON latest_hosts (host_id);

CREATE TABLE results (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    started INTEGER NOT NULL,
    ended INTEGER NULL,
    status TEXT NOT NULL DEFAULT 'unknown',
    changed INTEGER NOT NULL DEFAULT 0,
    ignore_errors INTEGER NOT NULL DEFAULT 0,
    content TEXT NOT NULL DEFAULT '{}',
    host_id INTEGER NOT NULL REFERENCES hosts (id) ON DELETE CASCADE,
    task_id INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    play_id INTEGER NOT NULL REFERENCES plays (id) ON DELETE CASCADE,
    playbook_id INTEGER NOT NULL REFERENCES playbooks (id) ON DELETE CASCADE
);
CREATE INDEX ix_results_playbook_status ON results (playbook_id, status, id);
CREATE INDEX ix_results_task ON results (task_id);
CREATE INDEX ix_results_host ON results (host_id);
CREATE INDEX ix_results_play ON results (play_id);

CREATE TABLE results_delegated_to (
    result_id INTEGER NOT NULL REFERENCES results (id) ON DELETE CASCADE,
    host_id INTEGER NOT NULL REFERENCES hosts (id) ON DELETE CASCADE,
    PRIMARY KEY (result_id, host_id)
);
CREATE INDEX ix_results_delegated_host ON results_delegated_to (host_id);

-- Runner events of runs recorded by Anvil's own recorder: the console text, and exactly-once ingestion.
CREATE TABLE run_events (
    playbook_id INTEGER NOT NULL REFERENCES playbooks (id) ON DELETE CASCADE,
    counter INTEGER NOT NULL,
    event TEXT NOT NULL,
    stdout TEXT NOT NULL,
    PRIMARY KEY (playbook_id, counter)
);

-- The users table was made here until Anvil.Data took it over: now 0000_users (Anvil.Data) makes it, first.
