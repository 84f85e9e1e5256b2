-- Records schema, version 2 (SQLite): the numbers of children of each playbook, play and task ("items" in the API),
-- kept by triggers so that a list page or a detail reads them in O(1) instead of counting up to millions of rows.
-- Narrow tables of their own: a results insert rewrites a few integers, not the playbook row with its arguments.
CREATE TABLE playbook_counts (
    playbook_id INTEGER PRIMARY KEY REFERENCES playbooks (id) ON DELETE CASCADE,
    plays INTEGER NOT NULL DEFAULT 0,
    tasks INTEGER NOT NULL DEFAULT 0,
    results INTEGER NOT NULL DEFAULT 0,
    hosts INTEGER NOT NULL DEFAULT 0,
    files INTEGER NOT NULL DEFAULT 0,
    records INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE play_counts (
    play_id INTEGER PRIMARY KEY REFERENCES plays (id) ON DELETE CASCADE,
    tasks INTEGER NOT NULL DEFAULT 0,
    results INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE task_counts (
    task_id INTEGER PRIMARY KEY REFERENCES tasks (id) ON DELETE CASCADE,
    results INTEGER NOT NULL DEFAULT 0
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

CREATE TRIGGER playbooks_counted AFTER INSERT ON playbooks
BEGIN
    INSERT INTO playbook_counts (playbook_id) VALUES (NEW.id);
END;

CREATE TRIGGER plays_counted AFTER INSERT ON plays
BEGIN
    INSERT INTO play_counts (play_id) VALUES (NEW.id);
    UPDATE playbook_counts SET plays = plays + 1 WHERE playbook_id = NEW.playbook_id;
END;
CREATE TRIGGER plays_uncounted AFTER DELETE ON plays
BEGIN
    UPDATE playbook_counts SET plays = plays - 1 WHERE playbook_id = OLD.playbook_id;
END;
CREATE TRIGGER plays_recounted AFTER UPDATE OF playbook_id ON plays WHEN NEW.playbook_id IS NOT OLD.playbook_id
BEGIN
    UPDATE playbook_counts SET plays = plays - 1 WHERE playbook_id = OLD.playbook_id;
    UPDATE playbook_counts SET plays = plays + 1 WHERE playbook_id = NEW.playbook_id;
END;

CREATE TRIGGER tasks_counted AFTER INSERT ON tasks
BEGIN
    INSERT INTO task_counts (task_id) VALUES (NEW.id);
    UPDATE playbook_counts SET tasks = tasks + 1 WHERE playbook_id = NEW.playbook_id;
    UPDATE play_counts SET tasks = tasks + 1 WHERE play_id = NEW.play_id;
END;
CREATE TRIGGER tasks_uncounted AFTER DELETE ON tasks
BEGIN
    UPDATE playbook_counts SET tasks = tasks - 1 WHERE playbook_id = OLD.playbook_id;
    UPDATE play_counts SET tasks = tasks - 1 WHERE play_id = OLD.play_id;
END;
CREATE TRIGGER tasks_recounted AFTER UPDATE OF playbook_id, play_id ON tasks
BEGIN
    UPDATE playbook_counts SET tasks = tasks - 1 WHERE playbook_id = OLD.playbook_id AND NEW.playbook_id IS NOT OLD.playbook_id;
    UPDATE playbook_counts SET tasks = tasks + 1 WHERE playbook_id = NEW.playbook_id AND NEW.playbook_id IS NOT OLD.playbook_id;
    UPDATE play_counts SET tasks = tasks - 1 WHERE play_id = OLD.play_id AND NEW.play_id IS NOT OLD.play_id;
    UPDATE play_counts SET tasks = tasks + 1 WHERE play_id = NEW.play_id AND NEW.play_id IS NOT OLD.play_id;
END;

CREATE TRIGGER results_counted AFTER INSERT ON results
BEGIN
    UPDATE playbook_counts SET results = results + 1 WHERE playbook_id = NEW.playbook_id;
    UPDATE play_counts SET results = results + 1 WHERE play_id = NEW.play_id;
    UPDATE task_counts SET results = results + 1 WHERE task_id = NEW.task_id;
END;
CREATE TRIGGER results_uncounted AFTER DELETE ON results
BEGIN
    UPDATE playbook_counts SET results = results - 1 WHERE playbook_id = OLD.playbook_id;
    UPDATE play_counts SET results = results - 1 WHERE play_id = OLD.play_id;
    UPDATE task_counts SET results = results - 1 WHERE task_id = OLD.task_id;
END;
CREATE TRIGGER results_recounted AFTER UPDATE OF playbook_id, play_id, task_id ON results
BEGIN
    UPDATE playbook_counts SET results = results - 1 WHERE playbook_id = OLD.playbook_id AND NEW.playbook_id IS NOT OLD.playbook_id;
    UPDATE playbook_counts SET results = results + 1 WHERE playbook_id = NEW.playbook_id AND NEW.playbook_id IS NOT OLD.playbook_id;
    UPDATE play_counts SET results = results - 1 WHERE play_id = OLD.play_id AND NEW.play_id IS NOT OLD.play_id;
    UPDATE play_counts SET results = results + 1 WHERE play_id = NEW.play_id AND NEW.play_id IS NOT OLD.play_id;
    UPDATE task_counts SET results = results - 1 WHERE task_id = OLD.task_id AND NEW.task_id IS NOT OLD.task_id;
    UPDATE task_counts SET results = results + 1 WHERE task_id = NEW.task_id AND NEW.task_id IS NOT OLD.task_id;
END;

CREATE TRIGGER hosts_counted AFTER INSERT ON hosts
BEGIN
    UPDATE playbook_counts SET hosts = hosts + 1 WHERE playbook_id = NEW.playbook_id;
END;
CREATE TRIGGER hosts_uncounted AFTER DELETE ON hosts
BEGIN
    UPDATE playbook_counts SET hosts = hosts - 1 WHERE playbook_id = OLD.playbook_id;
END;
CREATE TRIGGER hosts_recounted AFTER UPDATE OF playbook_id ON hosts WHEN NEW.playbook_id IS NOT OLD.playbook_id
BEGIN
    UPDATE playbook_counts SET hosts = hosts - 1 WHERE playbook_id = OLD.playbook_id;
    UPDATE playbook_counts SET hosts = hosts + 1 WHERE playbook_id = NEW.playbook_id;
END;

CREATE TRIGGER files_counted AFTER INSERT ON files
BEGIN
    UPDATE playbook_counts SET files = files + 1 WHERE playbook_id = NEW.playbook_id;
END;
CREATE TRIGGER files_uncounted AFTER DELETE ON files
BEGIN
    UPDATE playbook_counts SET files = files - 1 WHERE playbook_id = OLD.playbook_id;
END;
CREATE TRIGGER files_recounted AFTER UPDATE OF playbook_id ON files WHEN NEW.playbook_id IS NOT OLD.playbook_id
BEGIN
    UPDATE playbook_counts SET files = files - 1 WHERE playbook_id = OLD.playbook_id;
    UPDATE playbook_counts SET files = files + 1 WHERE playbook_id = NEW.playbook_id;
END;

CREATE TRIGGER records_counted AFTER INSERT ON records
BEGIN
    UPDATE playbook_counts SET records = records + 1 WHERE playbook_id = NEW.playbook_id;
END;
CREATE TRIGGER records_uncounted AFTER DELETE ON records
BEGIN
    UPDATE playbook_counts SET records = records - 1 WHERE playbook_id = OLD.playbook_id;
END;
CREATE TRIGGER records_recounted AFTER UPDATE OF playbook_id ON records WHEN NEW.playbook_id IS NOT OLD.playbook_id
BEGIN
    UPDATE playbook_counts SET records = records - 1 WHERE playbook_id = OLD.playbook_id;
    UPDATE playbook_counts SET records = records + 1 WHERE playbook_id = NEW.playbook_id;
END;
