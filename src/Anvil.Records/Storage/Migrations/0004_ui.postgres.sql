-- Records schema, version 4 (PostgreSQL): what the web UI reads.
-- A host's results in time order (the host page) without sorting them; it also serves every lookup the plain host
-- index served, so it replaces it instead of adding a sixth index to every result insert.
DROP INDEX ix_results_host;
CREATE INDEX ix_results_host_started ON results (host_id, started, id);

-- Ansible's recap counts rescued blocks per host; ARA has no column for them.
ALTER TABLE hosts ADD COLUMN rescued INTEGER NOT NULL DEFAULT 0;

-- The result a console event produced, so that the console links each task's output to its result.
ALTER TABLE run_events ADD COLUMN result_id BIGINT NULL;
