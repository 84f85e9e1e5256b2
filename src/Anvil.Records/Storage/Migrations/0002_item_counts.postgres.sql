-- Records schema, version 2 (PostgreSQL): the numbers of children of each playbook, play and task ("items" in the
-- API), kept by triggers so that a list page or a detail reads them in O(1) instead of counting up to millions of rows.
-- Narrow tables of their own: a results insert updates a few integers, not the playbook row with its arguments.
-- Inserts and deletes lock the playbook's counts first, then the play's, then the task's, so that concurrent
-- recorders queue rather than deadlock.
CREATE TABLE playbook_counts (
    playbook_id BIGINT PRIMARY KEY REFERENCES playbooks (id) ON DELETE CASCADE,
    plays BIGINT NOT NULL DEFAULT 0,
    tasks BIGINT NOT NULL DEFAULT 0,
    results BIGINT NOT NULL DEFAULT 0,
    hosts BIGINT NOT NULL DEFAULT 0,
    files BIGINT NOT NULL DEFAULT 0,
    records BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE play_counts (
    play_id BIGINT PRIMARY KEY REFERENCES plays (id) ON DELETE CASCADE,
    tasks BIGINT NOT NULL DEFAULT 0,
    results BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE task_counts (
    task_id BIGINT PRIMARY KEY REFERENCES tasks (id) ON DELETE CASCADE,
    results BIGINT NOT NULL DEFAULT 0
);

INSERT INTO playbook_counts (playbook_id, plays, tasks, results, hosts, files, records)
SELECT p.id,
    (SELECT COUNT(*) FROM plays x WHERE x.playbook_id = p.id),
    (SELECT COUNT(*) FROM tasks x WHERE x.playbook_id = p.id),
    (SELECT COUNT(*) FROM results x WHERE x.playbook_id = p.id),
    (SELECT COUNT(*) FROM hosts x WHERE x.playbook_id = p.id),
    (SELECT COUNT(*) FROM files x WHERE x.playbook_id = p.id),
    (SELECT COUNT(*) FROM records x WHERE x.playbook_id = p.id)
FROM playbooks p;

INSERT INTO play_counts (play_id, tasks, results)
SELECT y.id, (SELECT COUNT(*) FROM tasks x WHERE x.play_id = y.id), (SELECT COUNT(*) FROM results x WHERE x.play_id = y.id)
FROM plays y;

INSERT INTO task_counts (task_id, results)
SELECT t.id, (SELECT COUNT(*) FROM results x WHERE x.task_id = t.id) FROM tasks t;

CREATE FUNCTION anvil_count_playbook() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO playbook_counts (playbook_id) VALUES (NEW.id);
    RETURN NULL;
END $$;
CREATE TRIGGER playbooks_counted AFTER INSERT ON playbooks FOR EACH ROW EXECUTE FUNCTION anvil_count_playbook();

CREATE FUNCTION anvil_count_play() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO play_counts (play_id) VALUES (NEW.id);
        UPDATE playbook_counts SET plays = plays + 1 WHERE playbook_id = NEW.playbook_id;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE playbook_counts SET plays = plays - 1 WHERE playbook_id = OLD.playbook_id;
    ELSIF NEW.playbook_id IS DISTINCT FROM OLD.playbook_id THEN
        UPDATE playbook_counts SET plays = plays - 1 WHERE playbook_id = OLD.playbook_id;
        UPDATE playbook_counts SET plays = plays + 1 WHERE playbook_id = NEW.playbook_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER plays_counted AFTER INSERT OR DELETE OR UPDATE OF playbook_id ON plays FOR EACH ROW EXECUTE FUNCTION anvil_count_play();

CREATE FUNCTION anvil_count_task() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO task_counts (task_id) VALUES (NEW.id);
        UPDATE playbook_counts SET tasks = tasks + 1 WHERE playbook_id = NEW.playbook_id;
        UPDATE play_counts SET tasks = tasks + 1 WHERE play_id = NEW.play_id;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE playbook_counts SET tasks = tasks - 1 WHERE playbook_id = OLD.playbook_id;
        UPDATE play_counts SET tasks = tasks - 1 WHERE play_id = OLD.play_id;
    ELSE
        IF NEW.playbook_id IS DISTINCT FROM OLD.playbook_id THEN
            UPDATE playbook_counts SET tasks = tasks - 1 WHERE playbook_id = OLD.playbook_id;
            UPDATE playbook_counts SET tasks = tasks + 1 WHERE playbook_id = NEW.playbook_id;
        END IF;
        IF NEW.play_id IS DISTINCT FROM OLD.play_id THEN
            UPDATE play_counts SET tasks = tasks - 1 WHERE play_id = OLD.play_id;
            UPDATE play_counts SET tasks = tasks + 1 WHERE play_id = NEW.play_id;
        END IF;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER tasks_counted AFTER INSERT OR DELETE OR UPDATE OF playbook_id, play_id ON tasks FOR EACH ROW EXECUTE FUNCTION anvil_count_task();

CREATE FUNCTION anvil_count_result() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE playbook_counts SET results = results + 1 WHERE playbook_id = NEW.playbook_id;
        UPDATE play_counts SET results = results + 1 WHERE play_id = NEW.play_id;
        UPDATE task_counts SET results = results + 1 WHERE task_id = NEW.task_id;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE playbook_counts SET results = results - 1 WHERE playbook_id = OLD.playbook_id;
        UPDATE play_counts SET results = results - 1 WHERE play_id = OLD.play_id;
        UPDATE task_counts SET results = results - 1 WHERE task_id = OLD.task_id;
    ELSE
        IF NEW.playbook_id IS DISTINCT FROM OLD.playbook_id THEN
            UPDATE playbook_counts SET results = results - 1 WHERE playbook_id = OLD.playbook_id;
            UPDATE playbook_counts SET results = results + 1 WHERE playbook_id = NEW.playbook_id;
        END IF;
        IF NEW.play_id IS DISTINCT FROM OLD.play_id THEN
            UPDATE play_counts SET results = results - 1 WHERE play_id = OLD.play_id;
            UPDATE play_counts SET results = results + 1 WHERE play_id = NEW.play_id;
        END IF;
        IF NEW.task_id IS DISTINCT FROM OLD.task_id THEN
            UPDATE task_counts SET results = results - 1 WHERE task_id = OLD.task_id;
            UPDATE task_counts SET results = results + 1 WHERE task_id = NEW.task_id;
        END IF;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER results_counted AFTER INSERT OR DELETE OR UPDATE OF playbook_id, play_id, task_id ON results
    FOR EACH ROW EXECUTE FUNCTION anvil_count_result();

CREATE FUNCTION anvil_count_hosts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE playbook_counts SET hosts = hosts + 1 WHERE playbook_id = NEW.playbook_id;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE playbook_counts SET hosts = hosts - 1 WHERE playbook_id = OLD.playbook_id;
    ELSIF NEW.playbook_id IS DISTINCT FROM OLD.playbook_id THEN
        UPDATE playbook_counts SET hosts = hosts - 1 WHERE playbook_id = OLD.playbook_id;
        UPDATE playbook_counts SET hosts = hosts + 1 WHERE playbook_id = NEW.playbook_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER hosts_counted AFTER INSERT OR DELETE OR UPDATE OF playbook_id ON hosts
    FOR EACH ROW EXECUTE FUNCTION anvil_count_hosts();

CREATE FUNCTION anvil_count_files() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE playbook_counts SET files = files + 1 WHERE playbook_id = NEW.playbook_id;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE playbook_counts SET files = files - 1 WHERE playbook_id = OLD.playbook_id;
    ELSIF NEW.playbook_id IS DISTINCT FROM OLD.playbook_id THEN
        UPDATE playbook_counts SET files = files - 1 WHERE playbook_id = OLD.playbook_id;
        UPDATE playbook_counts SET files = files + 1 WHERE playbook_id = NEW.playbook_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER files_counted AFTER INSERT OR DELETE OR UPDATE OF playbook_id ON files
    FOR EACH ROW EXECUTE FUNCTION anvil_count_files();

CREATE FUNCTION anvil_count_records() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE playbook_counts SET records = records + 1 WHERE playbook_id = NEW.playbook_id;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE playbook_counts SET records = records - 1 WHERE playbook_id = OLD.playbook_id;
    ELSIF NEW.playbook_id IS DISTINCT FROM OLD.playbook_id THEN
        UPDATE playbook_counts SET records = records - 1 WHERE playbook_id = OLD.playbook_id;
        UPDATE playbook_counts SET records = records + 1 WHERE playbook_id = NEW.playbook_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER records_counted AFTER INSERT OR DELETE OR UPDATE OF playbook_id ON records
    FOR EACH ROW EXECUTE FUNCTION anvil_count_records();
