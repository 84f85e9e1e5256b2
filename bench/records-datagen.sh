#!/usr/bin/env bash
# Fills a migrated, empty SQLite records database with N synthetic results, fast (one transaction of set-based SQL),
# in Anvil's schema or in ARA's (Debian's ara-server 1.5.8, compressed JSON blobs as ara.md section 2.3). Used by
# bench/api-latency.sh; both schemas get the same rows, so the two servers answer the same questions.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: bench/records-datagen.sh --schema anvil|ara --results N --db PATH

Inserts N results into PATH, a SQLite database already migrated and still empty (`anvil db migrate --database
sqlite:PATH`, or `ara-manage migrate` with ARA_BASE_DIR). Shape: 1,000 results per playbook (1 play, 50 tasks,
20 hosts named host-0..host-19, one result per task and host), so N/1000 playbooks (rounded up); every playbook has
its file (one shared content), the label "bench", a realistic `arguments` mapping (~1.4 KB, as ARA's callback
sends), and host counters summed from its results. Statuses: ~4% failed (a quarter of them ignore_errors), ~1%
unreachable, ~15% skipped, the rest ok (~16% of ok changed). Prints the playbook count.

  --schema anvil|ara   target schema
  --results N          number of results, 1 to 10,000,000
  --db PATH            the SQLite file
EOF
}

die() { echo "records-datagen: $*" >&2; exit 1; }

schema="" results="" db=""
while (($#)); do
    case $1 in
        --schema) (($# >= 2)) || die "--schema needs a value"; schema=$2; shift 2 ;;
        --results) (($# >= 2)) || die "--results needs a value"; results=$2; shift 2 ;;
        --db) (($# >= 2)) || die "--db needs a value"; db=$2; shift 2 ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" ;;
    esac
done
[[ $schema == anvil || $schema == ara ]] || die "--schema must be anvil or ara"
[[ $results =~ ^[1-9][0-9]*$ ]] && ((results <= 10000000)) || die "--results must be an integer from 1 to 10,000,000"
[[ -f $db ]] || die "--db: no such file: $db (migrate it first)"
command -v sqlite3 >/dev/null || die "sqlite3 is missing (apt-get install -y sqlite3)"
[[ $(sqlite3 "$db" 'select count(*) from playbooks') == 0 ]] || die "$db already has playbooks"

per_playbook=1000 tasks=50 hosts=20
playbooks=$(((results + per_playbook - 1) / per_playbook))
base=1767225600000000 # 2026-01-01T00:00:00Z in microseconds; playbook p starts p x 10 minutes later

# SQL literals of the constant values, made by Python so that quoting and zlib are exact.
eval "$(/usr/bin/python3 - <<'PY'
import hashlib, json, zlib
arguments = {
    "version": None, "verbosity": 0, "private_key_file": None, "remote_user": None, "connection": "smart",
    "timeout": 10, "ssh_common_args": None, "sftp_extra_args": None, "scp_extra_args": None, "ssh_extra_args": None,
    "ask_pass": False, "connection_password_file": None, "force_handlers": False, "flush_cache": False,
    "become": False, "become_method": "sudo", "become_user": None, "become_ask_pass": False,
    "become_password_file": None, "tags": ["all"], "skip_tags": [], "check": False, "diff": False,
    "inventory": ["/srv/bench/inventory/hosts.ini"], "listhosts": False, "subset": None,
    "extra_vars": "Not saved by ARA as configured by 'ignored_arguments'", "vault_ids": [], "ask_vault_pass": False,
    "vault_password_files": [], "forks": 5, "module_path": None, "syntax": False, "listtasks": False,
    "listtags": False, "step": False, "start_at_task": None, "args": ["site.yml"],
}
content = {"changed": False, "msg": "benchmark result"}
yaml = "- hosts: all\n  gather_facts: false\n  tasks:\n" + "".join(
    f"    - name: task {i}\n      debug:\n        msg: task {i}\n" for i in range(50))
def text(s): return "'" + s.replace("'", "''") + "'"
def blob(v): return "X'" + zlib.compress(json.dumps(v).encode()).hex() + "'"
def emit(name, value): print(f"{name}={json.dumps(value)}")
emit("ARGS_TEXT", text(json.dumps(arguments, separators=(",", ":"))))
emit("ARGS_BLOB", blob(arguments))
emit("CONTENT_TEXT", text(json.dumps(content, separators=(",", ":"))))
emit("CONTENT_BLOB", blob(content))
emit("EMPTY_DICT_BLOB", blob({}))
emit("EMPTY_LIST_BLOB", blob([]))
emit("FILE_TEXT", text(yaml))
emit("FILE_BLOB", "X'" + zlib.compress(yaml.encode()).hex() + "'")
emit("FILE_SHA1", text(hashlib.sha1(yaml.encode()).hexdigest()))
PY
)"

# Row numbers → ids and times. Playbook p (1-based) owns tasks (p-1)*50+1.. and hosts (p-1)*20+1..; result k (0-based)
# belongs to playbook k/1000+1, task (k%1000)/20, host k%20.
pstart="($base + p * 600000000)"
status_of="CASE WHEN x < 4 THEN 'failed' WHEN x < 5 THEN 'unreachable' WHEN x < 20 THEN 'skipped' ELSE 'ok' END"
results_cte="WITH RECURSIVE s(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM s WHERE k < $((results - 1))),
  r AS (SELECT k, k / $per_playbook + 1 AS p, (k % $per_playbook) / $hosts AS t, k % $hosts AS h FROM s),
  v AS (SELECT k, p, t, h, (t * 7 + h * 13 + p * 3) % 100 AS x, $base + p * 600000000 + (t * $hosts + h) * 100000 AS st FROM r)"
playbooks_cte="WITH RECURSIVE s(p) AS (SELECT 1 UNION ALL SELECT p + 1 FROM s WHERE p < $playbooks)"
tasks_cte="WITH RECURSIVE s(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM s WHERE k < $((playbooks * tasks - 1))),
  r AS (SELECT k, k / $tasks + 1 AS p, k % $tasks AS t FROM s)"
hosts_cte="WITH RECURSIVE s(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM s WHERE k < $((playbooks * hosts - 1))),
  r AS (SELECT k, k / $hosts + 1 AS p, k % $hosts AS h FROM s)"
counters="UPDATE hosts SET
  ok = (SELECT count(*) FROM results WHERE host_id = hosts.id AND status = 'ok'),
  changed = (SELECT count(*) FROM results WHERE host_id = hosts.id AND status = 'ok' AND changed),
  failed = (SELECT count(*) FROM results WHERE host_id = hosts.id AND status = 'failed' AND NOT ignore_errors),
  skipped = (SELECT count(*) FROM results WHERE host_id = hosts.id AND status = 'skipped'),
  unreachable = (SELECT count(*) FROM results WHERE host_id = hosts.id AND status = 'unreachable');"

if [[ $schema == anvil ]]; then
    # Anvil: times are integer microseconds, JSON is text, booleans 0/1.
    sql="PRAGMA synchronous=OFF;
BEGIN;
INSERT INTO labels (id, created, updated, name) VALUES (1, $base, $base, 'bench');
INSERT INTO file_contents (id, created, updated, sha1, contents) VALUES (1, $base, $base, $FILE_SHA1, $FILE_TEXT);
$playbooks_cte
INSERT INTO playbooks (id, created, updated, started, ended, name, ansible_version, client_version, python_version,
  server_version, status, arguments, path, controller, \"user\")
SELECT p, $pstart, $pstart + 120000000, $pstart, $pstart + 120000000, 'bench ' || (p % 10), '2.14.18', '1.7.4', '3.11.2',
  '1.7.4', CASE WHEN p % 10 = 0 THEN 'failed' ELSE 'completed' END, $ARGS_TEXT, '/srv/bench/site-' || (p % 10) || '.yml',
  'controller-' || (p % 3), 'bench' FROM s;
$playbooks_cte
INSERT INTO playbooks_labels (playbook_id, label_id) SELECT p, 1 FROM s;
$playbooks_cte
INSERT INTO plays (id, created, updated, started, ended, name, uuid, status, playbook_id)
SELECT p, $pstart, $pstart, $pstart, $pstart + 120000000, 'bench play', printf('%08x-0000-4000-8000-%012x', p, p), 'completed', p FROM s;
$playbooks_cte
INSERT INTO files (id, created, updated, path, content_id, playbook_id)
SELECT p, $pstart, $pstart, '/srv/bench/site-' || (p % 10) || '.yml', 1, p FROM s;
$tasks_cte
INSERT INTO tasks (id, created, updated, started, ended, name, uuid, action, lineno, tags, handler, status, file_id, play_id, playbook_id)
SELECT k + 1, $pstart + t * 2000000, $pstart + t * 2000000 + 2000000, $pstart + t * 2000000, $pstart + t * 2000000 + 2000000,
  'task ' || t, printf('%08x-0000-4000-9000-%012x', p, t), 'ansible.builtin.debug', 4 + t * 3, '[]', 0, 'completed', p, p, p FROM r;
$hosts_cte
INSERT INTO hosts (id, created, updated, name, facts, playbook_id)
SELECT k + 1, $pstart, $pstart + 120000000, 'host-' || h, '{}', p FROM r;
$results_cte
INSERT INTO results (id, created, updated, started, ended, status, changed, ignore_errors, content, host_id, task_id, play_id, playbook_id)
SELECT k + 1, st, st + 50000, st, st + 50000, $status_of, (x >= 20 AND x % 5 = 0), x < 1, $CONTENT_TEXT,
  (p - 1) * $hosts + h + 1, (p - 1) * $tasks + t + 1, p, p FROM v;
$counters
INSERT INTO latest_hosts (name, host_id, created, updated) SELECT name, max(id), $base, $base FROM hosts GROUP BY name;
COMMIT;"
else
    # ARA (Debian's 1.5.8 schema): datetimes as text, durations as bigint microseconds, JSON as zlib blobs.
    dt() { echo "(strftime('%Y-%m-%d %H:%M:%S', ($1) / 1000000, 'unixepoch') || printf('.%06d', ($1) % 1000000))"; }
    sql="PRAGMA synchronous=OFF;
BEGIN;
INSERT INTO labels (id, created, updated, name) VALUES (1, $(dt $base), $(dt $base), 'bench');
INSERT INTO file_contents (id, created, updated, sha1, contents) VALUES (1, $(dt $base), $(dt $base), $FILE_SHA1, $FILE_BLOB);
$playbooks_cte
INSERT INTO playbooks (id, created, updated, started, ended, name, ansible_version, status, arguments, path, duration, controller)
SELECT p, $(dt "$pstart"), $(dt "$pstart + 120000000"), $(dt "$pstart"), $(dt "$pstart + 120000000"), 'bench ' || (p % 10),
  '2.14.18', CASE WHEN p % 10 = 0 THEN 'failed' ELSE 'completed' END, $ARGS_BLOB, '/srv/bench/site-' || (p % 10) || '.yml',
  120000000, 'controller-' || (p % 3) FROM s;
$playbooks_cte
INSERT INTO playbooks_labels (playbook_id, label_id) SELECT p, 1 FROM s;
$playbooks_cte
INSERT INTO plays (id, created, updated, started, ended, name, uuid, playbook_id, duration, status)
SELECT p, $(dt "$pstart"), $(dt "$pstart"), $(dt "$pstart"), $(dt "$pstart + 120000000"), 'bench play',
  printf('%08x00004000800%013x', p, p), p, 120000000, 'completed' FROM s;
$playbooks_cte
INSERT INTO files (id, created, updated, path, content_id, playbook_id)
SELECT p, $(dt "$pstart"), $(dt "$pstart"), '/srv/bench/site-' || (p % 10) || '.yml', 1, p FROM s;
$tasks_cte
INSERT INTO tasks (id, created, updated, started, ended, name, action, lineno, tags, handler, file_id, play_id, playbook_id, duration, status)
SELECT k + 1, $(dt "$pstart + t * 2000000"), $(dt "$pstart + t * 2000000 + 2000000"), $(dt "$pstart + t * 2000000"),
  $(dt "$pstart + t * 2000000 + 2000000"), 'task ' || t, 'ansible.builtin.debug', 4 + t * 3, $EMPTY_LIST_BLOB, 0, p, p, p,
  2000000, 'completed' FROM r;
$hosts_cte
INSERT INTO hosts (id, created, updated, name, facts, changed, failed, ok, skipped, unreachable, playbook_id)
SELECT k + 1, $(dt "$pstart"), $(dt "$pstart + 120000000"), 'host-' || h, $EMPTY_DICT_BLOB, 0, 0, 0, 0, 0, p FROM r;
$results_cte
INSERT INTO results (id, created, updated, started, ended, content, host_id, play_id, playbook_id, task_id, changed,
  ignore_errors, duration, status)
SELECT k + 1, $(dt st), $(dt "st + 50000"), $(dt st), $(dt "st + 50000"), $CONTENT_BLOB, (p - 1) * $hosts + h + 1, p, p,
  (p - 1) * $tasks + t + 1, (x >= 20 AND x % 5 = 0), x < 1, 50000, $status_of FROM v;
$counters
INSERT INTO latest_hosts (name, created, updated, host_id) SELECT name, $(dt $base), $(dt $base), max(id) FROM hosts GROUP BY name;
COMMIT;"
fi

printf '%s\n' "$sql" | sqlite3 -bail "$db" >/dev/null
echo "$playbooks"
